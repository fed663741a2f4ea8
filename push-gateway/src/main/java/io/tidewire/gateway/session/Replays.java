package io.tidewire.gateway.session;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Replays as sessions need them: a bounded number admitted at a time, reads performed on replay
 * workers. Implemented by the replay pool.
 *
 * <p>Implementations are thread-safe and never block the caller.
 */
public interface Replays {

  /** How an admitted replay ended (the {@code outcome} tag of the replay metrics). */
  enum Outcome {
    /** Caught up: the subscription is live. */
    LIVE,
    /** The cursor turned out to be outside the log (a snapshot follows, for a user channel). */
    UNRECOVERABLE,
    /** The log could not be read, or records were deleted during the replay. */
    FAILED,
    /** The client did not make room in its queue in time (a slow consumer). */
    STALLED,
    /** Unsubscribed, replaced, or the session ended. */
    CANCELLED;

    /** The metric tag, e.g. {@code live}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Admits one more replay for {@code userId}.
   *
   * @return false if too many are admitted already, for the user or in all (the client is told
   *     {@code rate_limited})
   */
  boolean admit(String userId);

  /**
   * Queues {@code read} for a worker; {@code done} runs once, on that worker, with what it found
   * (never if the replays are stopped meanwhile).
   */
  void read(ReplayRead read, Consumer<ReplayResult> done);

  /** An admitted replay of {@code userId} ended: its admission is released. */
  void finished(String userId, Outcome outcome, Duration took);
}
