package io.tidewire.gateway.session;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.gateway.recovery.Floor;
import io.tidewire.gateway.recovery.ReplayMerger;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.gateway.session.Effect.Flow;
import io.tidewire.gateway.session.Effect.Timer;
import io.tidewire.gateway.session.Subscription.Cancelled;
import io.tidewire.gateway.session.Subscription.Checking;
import io.tidewire.gateway.session.Subscription.Live;
import io.tidewire.gateway.session.Subscription.Parked;
import io.tidewire.gateway.session.Subscription.Reading;
import io.tidewire.gateway.session.Subscription.Recovering;
import io.tidewire.gateway.session.Subscription.Replaying;
import io.tidewire.gateway.session.Subscription.Snapshotting;
import io.tidewire.schemas.avro.UserState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One client connection's protocol as a state machine without I/O: every input — a client request,
 * a live event from a tail, a replay worker's result, a snapshot, a timer, room in the send queue —
 * updates the session's state and returns the {@link Effect}s to apply, in order. The core never
 * calls out; its owner ({@link ClientSession}) applies the effects and turns their answers into
 * further inputs. Times come in as arguments ({@link System#nanoTime()} scale for replays).
 *
 * <p>It keeps the connection's lifecycle (open, terminating, closed, gone; it only moves forward)
 * and one {@link Subscription} per channel, and owns the delivery rules: the {@code subscribed}
 * reply precedes the events that follow it; a live subscription admits an event only above its
 * {@link Floor}; a user channel never carries another user's event; a live event the queue refuses
 * makes the session a slow consumer; a replay's admission is released exactly once however it
 * ends. How a recovering subscription catches up (replay merged with the live buffer by
 * {@link ReplayMerger}, sized to the queue's {@link QueueRoom room}, parked until the client reads,
 * or a snapshot) is {@link Catchup}'s.
 *
 * <p>Not thread-safe: one thread at a time (the owner serializes inputs). {@link #principal()} may
 * be read from any thread.
 */
public final class SessionCore {

  /**
   * The session's fixed parameters.
   *
   * @param bufferMessages bound of a recovering subscription's live buffer, in events
   * @param bufferBytes bound of that buffer, in bytes
   * @param recoveryTimeout how long a replay may go without progress, or wait for room
   * @param clockSkew added to a token's expiry before the session is closed
   * @param maxScanRecords most records a replay may have to read (summed over the cursor's
   *     partitions); an older cursor is answered without recovery
   */
  public record Limits(int bufferMessages, long bufferBytes, Duration recoveryTimeout,
      Duration clockSkew, long maxScanRecords) {
    public Limits {
      Objects.requireNonNull(recoveryTimeout, "recoveryTimeout");
      Objects.requireNonNull(clockSkew, "clockSkew");
      if (maxScanRecords < 1) {
        throw new IllegalArgumentException("maxScanRecords must be positive");
      }
    }

    /** Limits without a scan bound beyond the log's retention. */
    public Limits(final int bufferMessages, final long bufferBytes, final Duration recoveryTimeout,
        final Duration clockSkew) {
      this(bufferMessages, bufferBytes, recoveryTimeout, clockSkew, Long.MAX_VALUE);
    }
  }

  /** The connection's lifecycle; it only moves forward. */
  private enum Lifecycle {
    /** Serving. */
    OPEN,
    /** An error frame is on its way, then the close: no more replies to auth, no second end. */
    TERMINATING,
    /** The transport was told to close. */
    CLOSED,
    /** The connection is gone; nothing is sent or started any more. */
    GONE
  }

  static final String SLOW_CONSUMER = "send queue overflowed; reconnect and resume from your cursor";
  static final String RATE_LIMITED = "too many replays are running for you or on this gateway;"
      + " retry with backoff";
  static final String TOO_FAST = "too many frames; slow down and retry with backoff";
  static final String ABUSIVE = "kept sending frames too fast after rate_limited; reconnect with backoff";

  private final String userId;
  private final Limits limits;
  private volatile Principal principal;
  private Lifecycle lifecycle = Lifecycle.OPEN;
  private final Map<Kind, Subscription> channels = new EnumMap<>(Kind.class);
  private final Map<SubscriptionId, Cancelled> retired = new HashMap<>();
  private final Catchup catchup;

  /**
   * @param principal the verified token's principal; its user is the session's for good
   * @param limits the session's parameters
   */
  public SessionCore(final Principal principal, final Limits limits) {
    this.principal = Objects.requireNonNull(principal, "principal");
    this.userId = principal.userId();
    this.limits = Objects.requireNonNull(limits, "limits");
    this.catchup = new Catchup(userId, limits);
  }

  /** Whether {@code userId}'s session may subscribe to {@code channel}: not another user's. */
  public static boolean mayJoin(final String userId, final Channel channel) {
    return channel.kind() != Kind.USER || channel.userId().isEmpty()
        || channel.userId().get().equals(userId);
  }

  /** Whether {@code userId}'s session may receive {@code event} of {@code kind}. */
  public static boolean mayReceive(final String userId, final Kind kind, final EncodedEvent event) {
    return kind != Kind.USER || event.owner().isPresent() && event.owner().get().equals(userId);
  }

  /** The current principal (its expiry moves with {@code auth} requests). Any thread. */
  public Principal principal() {
    return principal;
  }

  // ---------------------------------------------------------------- the connection

  /** The connection opened: arm the token's expiry. */
  public List<Effect> opened(final Instant now) {
    return List.of(expiry(principal, now));
  }

  /**
   * A well-formed request other than {@code auth} and a permitted {@code subscribe} (those are
   * {@link #auth} and {@link #joined}): {@code ping}, {@code unsubscribe}, or a {@code subscribe}
   * to another user's channel.
   */
  public List<Effect> request(final ClientFrame frame) {
    if (frame instanceof ClientFrame.Ping ping) {
      return List.of(new Effect.Send(new Reply.Pong(ping.ref())));
    }
    if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
      if (!mayJoin(userId, unsubscribe.channel())) {
        return List.of(forbidden(unsubscribe.ref()));
      }
      final List<Effect> out = new ArrayList<>();
      cancel(unsubscribe.channel().kind(), true, out);
      out.add(new Effect.Send(new Reply.Unsubscribed(unsubscribe.ref(), unsubscribe.channel())));
      return out;
    }
    if (frame instanceof ClientFrame.Subscribe subscribe && !mayJoin(userId, subscribe.channel())) {
      return List.of(forbidden(subscribe.ref()));
    }
    throw new IllegalArgumentException(frame.getClass().getSimpleName()
        + " is not a plain request: a permitted subscribe joins at the seam, auth is verified first");
  }

  /** A frame that is not a well-formed request (or a binary frame): answer with its error. */
  public List<Effect> refuse(final ProtocolError error) {
    return List.of(new Effect.Send(error));
  }

  /**
   * A frame beyond the session's rate ({@link FrameBudget}): it is not performed.
   *
   * @param ref the frame's ref, if it was a well-formed request
   */
  public List<Effect> throttled(final Optional<String> ref) {
    if (lifecycle != Lifecycle.OPEN) {
      return List.of();
    }
    return List.of(new Effect.Send(new ProtocolError(ref, ErrorCode.RATE_LIMITED, TOO_FAST)));
  }

  /** The client kept sending beyond its rate after being refused: close the connection (4029). */
  public List<Effect> abusive() {
    final List<Effect> out = new ArrayList<>();
    terminate(ErrorCode.RATE_LIMITED, ABUSIVE, CloseCode.RATE_LIMITED, true, out);
    return out;
  }

  /** Handling the request of {@code ref} failed unexpectedly. */
  public List<Effect> internalError(final String ref) {
    return List.of(new Effect.Send(new ProtocolError(Optional.of(ref), ErrorCode.INTERNAL,
        "internal error")));
  }

  /** An {@code auth} request, with the verdict on its token: only the same user may extend the session. */
  public List<Effect> auth(final String ref, final TokenVerdict verdict, final Instant now) {
    if (lifecycle != Lifecycle.OPEN) {
      return List.of();
    }
    if (verdict instanceof TokenVerdict.Rejected rejected) {
      final ErrorCode code = rejected.reason() == TokenVerdict.Reason.EXPIRED
          ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED;
      return List.of(new Effect.Send(new ProtocolError(Optional.of(ref), code, rejected.message())));
    }
    final Principal next = ((TokenVerdict.Accepted) verdict).principal();
    if (!next.userId().equals(userId)) {
      return List.of(new Effect.Send(new ProtocolError(Optional.of(ref), ErrorCode.FORBIDDEN,
          "the token is for another user")));
    }
    principal = next;
    return List.of(expiry(next, now), new Effect.Send(new Reply.Authenticated(ref, next.expiresAt())));
  }

  /** The send queue refused a frame: the client reads too slowly. */
  public List<Effect> overflowed() {
    final List<Effect> out = new ArrayList<>();
    terminate(ErrorCode.SLOW_CONSUMER, SLOW_CONSUMER, CloseCode.SLOW_CONSUMER, true, out);
    return out;
  }

  /**
   * Close the connection now with {@code code}, once: the server goes away, a frame was too big,
   * or a termination's last frame went out (or its grace period passed).
   */
  public List<Effect> close(final CloseCode code) {
    if (lifecycle.compareTo(Lifecycle.CLOSED) >= 0) {
      return List.of();
    }
    lifecycle = Lifecycle.CLOSED;
    return List.of(new Effect.Cancel(new Timer.Expiry(principal)), new Effect.Close(code));
  }

  /** The connection closed (by either side): forget every subscription, the hub and the queue. */
  public List<Effect> disconnected() {
    if (lifecycle == Lifecycle.GONE) {
      return List.of();
    }
    lifecycle = Lifecycle.GONE;
    final List<Effect> out = new ArrayList<>();
    out.add(new Effect.Cancel(new Timer.Expiry(principal)));
    for (final Kind kind : Kind.values()) {
      cancel(kind, false, out);
    }
    out.add(new Effect.Forget());
    return out;
  }

  /** A timer armed by {@link Effect.Schedule} fired. */
  public List<Effect> timer(final Timer timer) {
    final List<Effect> out = new ArrayList<>();
    if (timer instanceof Timer.Expiry expiry) {
      if (expiry.armed() == principal) { // else an auth request replaced the token meanwhile
        terminate(ErrorCode.TOKEN_EXPIRED, "token expired", CloseCode.TOKEN_EXPIRED, false, out);
      }
    } else {
      final Timer.Stall stall = (Timer.Stall) timer;
      final Optional<Recovering> parked = current(stall.id())
          .filter(r -> r.phase() instanceof Replaying replaying
              && replaying.step() instanceof Parked p && p.token() == stall.token());
      if (parked.isPresent()) {
        // The client did not read for the whole recovery timeout: a slow consumer.
        channels.remove(stall.id().kind());
        out.add(new Effect.Leave(stall.id()));
        out.add(Catchup.ended(stall.id(), Replays.Outcome.STALLED));
        terminate(ErrorCode.SLOW_CONSUMER, SLOW_CONSUMER, CloseCode.SLOW_CONSUMER, true, out);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * A permitted {@code subscribe} joined the channel's live tail at {@code position}: the hub files
   * the session under {@code id} from this point, and every live event of the channel after it
   * comes as a later input. Replaces the channel's previous subscription.
   *
   * @param request the request
   * @param id the subscription's id, as filed in the hub
   * @param position the tail's position at the seam (in the user's partition, or every feed partition)
   * @param now the time
   */
  public List<Effect> joined(final ClientFrame.Subscribe request, final SubscriptionId id,
      final Cursor position, final long now) {
    if (lifecycle == Lifecycle.GONE) {
      return List.of(new Effect.Leave(id));
    }
    final Kind kind = id.kind();
    final List<Effect> out = new ArrayList<>();
    cancel(kind, false, out); // replaced; the hub files the session under the new id already
    final Cursor seam = position.withScope(kind == Kind.USER ? Cursor.scopeOf(userId) : Cursor.FEED_SCOPE);
    final ResumePlan plan = request.unsigned()
        ? new ResumePlan.Unrecoverable(ResumePlan.Reason.UNSIGNED)
        : ResumePlan.decide(request.cursor(), seam, kind, request.snapshot());
    final Catchup.Next next = catchup.start(request, id, seam, plan, now, out);
    channels.put(kind, ((Catchup.Stay) next).state());
    return out;
  }

  /** Too many replays run: the subscription that asked for one is dropped unanswered but for an error. */
  public List<Effect> replayRejected(final SubscriptionId id) {
    final Optional<Recovering> rejected = current(id);
    if (rejected.isEmpty()) {
      retired.remove(id); // cancelled before the answer: it was never admitted
      return List.of();
    }
    channels.remove(id.kind());
    return List.of(new Effect.Leave(id), new Effect.Send(new ProtocolError(
        Optional.of(rejected.get().terms().ref()), ErrorCode.RATE_LIMITED, RATE_LIMITED)));
  }

  /** A live event of {@code kind} from the tail. */
  public List<Effect> live(final Kind kind, final EncodedEvent event) {
    if (!mayReceive(userId, kind, event)) {
      return List.of();
    }
    final Subscription subscription = channels.get(kind);
    if (subscription instanceof Live live) {
      if (!live.types().accepts(event.type()) || !live.floor().admits(event)) {
        return List.of();
      }
      channels.put(kind, live.with(live.floor().past(event)));
      return List.of(new Effect.Deliver(event, Flow.LIVE));
    }
    if (subscription instanceof Recovering recovering
        && recovering.terms().types().accepts(event.type())) {
      recovering.buffer().add(event);
    }
    return List.of();
  }

  /**
   * A replay worker's result.
   *
   * @param result what it found
   * @param room the send queue's room now
   * @param now the time
   */
  public List<Effect> replayed(final ReplayResult result, final QueueRoom room, final long now) {
    final SubscriptionId id = result.id();
    final Optional<Recovering> found = current(id);
    if (found.isEmpty()) {
      return retired.remove(id) == null ? List.of()
          : List.of(Catchup.ended(id, Replays.Outcome.CANCELLED));
    }
    final Recovering recovering = found.get();
    final List<Effect> out = new ArrayList<>();
    if (recovering.phase() instanceof Checking checking) {
      settle(recovering, catchup.checked(recovering, checking, result, now, out), out);
    } else if (recovering.phase() instanceof Replaying replaying
        && replaying.step() instanceof Reading reading) {
      settle(recovering, catchup.read(recovering, replaying, reading.read(), result, room, now, out),
          out);
    }
    return out;
  }

  /** The send queue has room again for the replay parked with {@code token}. */
  public List<Effect> room(final SubscriptionId id, final long token, final QueueRoom room,
      final long now) {
    final Optional<Recovering> found = current(id);
    if (found.isEmpty() || !(found.get().phase() instanceof Replaying replaying)
        || !(replaying.step() instanceof Parked parked) || parked.token() != token) {
      return List.of();
    }
    final List<Effect> out = new ArrayList<>();
    settle(found.get(), catchup.room(found.get(), replaying, room, now, out), out);
    return out;
  }

  /** The snapshot asked for by {@link Effect.TakeSnapshot}: the user's state, empty if none. */
  public List<Effect> snapshot(final SubscriptionId id, final Optional<UserState> state) {
    final Optional<Recovering> found = current(id);
    if (found.isEmpty() || !(found.get().phase() instanceof Snapshotting snapshotting)) {
      return List.of();
    }
    final List<Effect> out = new ArrayList<>();
    settle(found.get(), catchup.snapshot(found.get(), snapshotting, state, out), out);
    return out;
  }

  /** No snapshot could be taken. */
  public List<Effect> snapshotFailed(final SubscriptionId id, final String reason) {
    final Optional<Recovering> found = current(id);
    if (found.isEmpty() || !(found.get().phase() instanceof Snapshotting)) {
      return List.of();
    }
    final List<Effect> out = new ArrayList<>();
    settle(found.get(), catchup.fail(found.get(), "no snapshot available: " + reason, out), out);
    return out;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Files where a step of {@code recovering} left it. A failed recovery ends in an error for the
   * request before {@code subscribed}; after it the client may have part of the replay, and only a
   * reconnect (resuming from its last cursor) continues without a gap.
   */
  private void settle(final Recovering recovering, final Catchup.Next next, final List<Effect> out) {
    final Kind kind = recovering.id().kind();
    if (next instanceof Catchup.Stay stay) {
      channels.put(kind, stay.state());
      return;
    }
    channels.remove(kind);
    ((Catchup.End) next).failure().ifPresent(failure -> {
      if (failure.replied()) {
        terminate(ErrorCode.INTERNAL, failure.message() + "; reconnect and resume from your cursor",
            CloseCode.INTERNAL_ERROR, false, out);
      } else {
        out.add(new Effect.Send(new ProtocolError(Optional.of(recovering.terms().ref()),
            ErrorCode.INTERNAL, failure.message())));
      }
    });
  }

  /**
   * Ends the channel's subscription, if any. A replay parked for room releases its admission now;
   * one with a read out at a worker is {@link Cancelled} until the read returns.
   */
  private void cancel(final Kind kind, final boolean leave, final List<Effect> out) {
    final Subscription subscription = channels.remove(kind);
    if (subscription == null) {
      return;
    }
    final SubscriptionId id = subscription.id();
    if (leave) {
      out.add(new Effect.Leave(id));
    }
    if (subscription instanceof Recovering recovering && catchup.cancel(recovering, out)) {
      retired.put(id, new Cancelled(id));
    }
  }

  private void terminate(final ErrorCode code, final String message, final CloseCode close,
      final boolean dropPending, final List<Effect> out) {
    if (lifecycle != Lifecycle.OPEN) {
      return;
    }
    lifecycle = Lifecycle.TERMINATING;
    out.add(new Effect.Cancel(new Timer.Expiry(principal)));
    out.add(new Effect.Terminate(code, message, close, dropPending));
  }

  /** The recovering subscription {@code id}, if it is still its channel's current one. */
  private Optional<Recovering> current(final SubscriptionId id) {
    final Subscription subscription = channels.get(id.kind());
    return subscription instanceof Recovering recovering && recovering.id().equals(id)
        ? Optional.of(recovering) : Optional.empty();
  }

  private Effect expiry(final Principal armed, final Instant now) {
    final Duration delay = Duration.between(now, armed.expiresAt().plus(limits.clockSkew()));
    return new Effect.Schedule(new Timer.Expiry(armed), delay.isNegative() ? Duration.ZERO : delay);
  }

  private static Effect forbidden(final String ref) {
    return new Effect.Send(new ProtocolError(Optional.of(ref), ErrorCode.FORBIDDEN,
        "the channel belongs to another user"));
  }
}
