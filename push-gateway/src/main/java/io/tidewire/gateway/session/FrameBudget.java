package io.tidewire.gateway.session;

import java.time.Duration;
import java.util.Objects;

/**
 * How fast a client may send frames, as a value: a {@link TokenBucket} of frames, and a second one
 * of refusals that makes persistent abuse visible. A frame beyond the first bucket is refused
 * ({@code rate_limited}, not performed); when the refusals spend the second bucket too — more than
 * {@code abuseRefusals} refusals within about {@code abuseWindow}, however they are interleaved
 * with admitted frames — the session is abusive and is closed (4029). Pure: times are arguments.
 *
 * <p>Immutable; thread-safe.
 *
 * @param frames the frame bucket
 * @param refusals the refusal bucket (capacity {@code abuseRefusals}, refilled over the window)
 */
public record FrameBudget(TokenBucket frames, TokenBucket refusals) {

  /**
   * The limits.
   *
   * @param perSecond frames per second a client may send on average
   * @param burst frames a client may send at once
   * @param abuseRefusals refusals tolerated within {@code abuseWindow}
   * @param abuseWindow the window over which refusals are forgiven
   */
  public record Limits(double perSecond, int burst, int abuseRefusals, Duration abuseWindow) {
    public Limits {
      Objects.requireNonNull(abuseWindow, "abuseWindow");
      if (!(perSecond > 0) || burst < 1 || abuseRefusals < 1 || abuseWindow.isNegative()
          || abuseWindow.isZero()) {
        throw new IllegalArgumentException("frame limits must be positive");
      }
    }
  }

  /** What to do with one client frame. */
  public enum Verdict {
    /** Perform it. */
    ADMIT,
    /** Refuse it with {@code rate_limited}; the connection stays. */
    REFUSE,
    /** Refuse it and close the connection: the client keeps sending too fast. */
    CLOSE
  }

  /**
   * The outcome of {@link #frame}.
   *
   * @param verdict what to do with the frame
   * @param budget the budget afterwards
   */
  public record Spent(Verdict verdict, FrameBudget budget) {}

  /** A fresh budget at {@code now}. */
  public static FrameBudget of(final Limits limits, final long now) {
    return new FrameBudget(TokenBucket.full(limits.perSecond(), limits.burst(), now),
        TokenBucket.full(limits.abuseRefusals() * 1e9 / limits.abuseWindow().toNanos(),
            limits.abuseRefusals(), now));
  }

  /** A frame arrived at {@code now}. */
  public Spent frame(final long now) {
    final TokenBucket.Take frame = frames.take(now);
    if (frame.taken()) {
      return new Spent(Verdict.ADMIT, new FrameBudget(frame.bucket(), refusals));
    }
    final TokenBucket.Take refusal = refusals.take(now);
    return new Spent(refusal.taken() ? Verdict.REFUSE : Verdict.CLOSE,
        new FrameBudget(frame.bucket(), refusal.bucket()));
  }
}
