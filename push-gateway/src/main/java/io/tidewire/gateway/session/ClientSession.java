package io.tidewire.gateway.session;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.Decoded;
import io.tidewire.gateway.protocol.FrameDecoder;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.schemas.avro.UserState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's protocol (the Client role): decodes its frames, answers them, keeps its
 * {@link Subscription}s, queues events for it through its bounded {@link OutboundQueue}, and
 * closes it on token expiry, slow consumption or an oversized frame. Knows nothing of WebSocket
 * beyond {@link Transport}.
 *
 * <p>A subscribe with a cursor joins the live tail at once (buffering) and resumes through
 * {@link Recovery}: a replay from the cursor, or a snapshot when the cursor cannot be replayed.
 *
 * <p>The user id comes from the token verified at the upgrade and never changes; an {@code auth}
 * op may only extend the session's expiry with a token for the same user.
 *
 * <p>Thread-safe: frames arrive on server threads, events on tail threads, replays on replay
 * workers, snapshots on the state store's thread, expiry on the timer.
 */
public final class ClientSession implements Subscriber {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

  private final Transport transport;
  private final SessionContext context;
  private final String userId;
  private final OutboundQueue queue;
  private final Map<Kind, Subscription> subscriptions = new EnumMap<>(Kind.class);
  private final Subscription.Host host = new Host();
  private final AtomicBoolean terminating = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean disconnected = new AtomicBoolean();
  private volatile Principal principal;
  private ScheduledFuture<?> expiry;

  /**
   * @param transport the connection
   * @param principal the verified token's principal
   * @param context what all sessions share
   */
  public ClientSession(final Transport transport, final Principal principal,
      final SessionContext context) {
    this.transport = transport;
    this.context = context;
    this.userId = principal.userId();
    this.principal = principal;
    this.queue = new OutboundQueue(transport, context.queueMessages(), context.queueBytes(),
        context.metrics()::frameOut,
        failure -> LOG.debug("send to {} failed: {}", transport.id(), failure.toString()));
  }

  /** Registers the session and arms its token expiry. Call once, when the connection opens. */
  public void open() {
    context.hub().register(this);
    scheduleExpiry(principal);
  }

  @Override
  public String userId() {
    return userId;
  }

  /** The current principal (its expiry moves with {@code auth} ops). */
  public Principal principal() {
    return principal;
  }

  /** Handles one text frame from the client. */
  public void onText(final String text) {
    context.metrics().frameIn();
    if (Utf8.exceeds(text, context.maxFrameBytes())) {
      context.metrics().oversizedFrame();
      LOG.debug("closing {}: frame over {} bytes", transport.id(), context.maxFrameBytes());
      closeNow(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    final Decoded decoded = FrameDecoder.decode(text);
    if (decoded instanceof Decoded.Invalid invalid) {
      reply(invalid.error());
      return;
    }
    final ClientFrame frame = ((Decoded.Request) decoded).frame();
    try {
      handle(frame);
    } catch (RuntimeException e) {
      LOG.warn("internal error handling a frame of {}", transport.id(), e);
      reply(new ProtocolError(Optional.of(frame.ref()), ErrorCode.INTERNAL, "internal error"));
    }
  }

  /** Handles a binary frame of {@code bytes} bytes: the protocol is text only. */
  public void onBinary(final int bytes) {
    context.metrics().frameIn();
    if (bytes > context.maxFrameBytes()) {
      context.metrics().oversizedFrame();
      closeNow(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    reply(ProtocolError.badRequest(Optional.empty(), "binary frames are not supported"));
  }

  private void handle(final ClientFrame frame) {
    if (frame instanceof ClientFrame.Ping ping) {
      send(FrameEncoder.pong(ping.ref()));
    } else if (frame instanceof ClientFrame.Subscribe subscribe) {
      subscribe(subscribe);
    } else if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
      unsubscribe(unsubscribe);
    } else if (frame instanceof ClientFrame.Auth auth) {
      authenticate(auth);
    } else {
      throw new IllegalStateException("unhandled frame " + frame.getClass().getSimpleName());
    }
  }

  private void subscribe(final ClientFrame.Subscribe request) {
    final Channel channel = request.channel();
    if (isOtherUser(channel)) {
      reply(forbidden(request.ref()));
      return;
    }
    final Kind kind = channel.kind();
    cancel(kind); // a second subscribe replaces the first
    final int scope = kind == Kind.USER ? Cursor.scopeOf(userId) : Cursor.FEED_SCOPE;
    context.hub().subscribe(this, kind, position -> {
      // At the seam: no live event of this channel is dispatched until this returns.
      final Cursor seam = position.withScope(scope);
      final Subscription subscription = new Subscription(host, channel, request.ref(),
          request.types(), kind == Kind.USER ? Optional.of(userId) : Optional.empty(), seam,
          request.cursor(), context.queueMessages(), context.queueBytes());
      final ResumePlan plan = ResumePlan.decide(request.cursor(), seam);
      synchronized (subscriptions) {
        subscriptions.put(kind, subscription);
      }
      if (plan instanceof ResumePlan.Live live) {
        subscription.goLiveAtSeam(live.recovered());
      } else if (plan instanceof ResumePlan.Replay) {
        if (!context.recovery().replay(subscription)) {
          forget(subscription);
          context.metrics().replayRejected();
          reply(new ProtocolError(Optional.of(request.ref()), ErrorCode.RATE_LIMITED,
              "too many clients are resuming right now; retry with backoff"));
          return false;
        }
      } else {
        startUnrecovered(subscription, ((ResumePlan.Unrecoverable) plan).reason());
      }
      return true;
    });
  }

  /**
   * Finishes a subscription whose cursor cannot be replayed: a user channel waits for a snapshot
   * of the user's state, the feed goes live at once.
   */
  private void startUnrecovered(final Subscription subscription, final ResumePlan.Reason reason) {
    context.metrics().unrecoverable(reason);
    LOG.debug("{} resubscribes to {} without recovery: {}", transport.id(),
        subscription.channel().name(), reason.message());
    if (subscription.owner().isEmpty()) {
      subscription.completeUnrecovered(subscription.resets(), Optional.empty());
      return;
    }
    requestSnapshot(subscription);
  }

  private void requestSnapshot(final Subscription subscription) {
    final int mark = subscription.resets();
    context.recovery().snapshot(userId, state -> {
      final UserState data = state.orElseGet(() -> UserState.newBuilder().setUserId(userId)
          .setBalance(null).setActiveJobs(List.of()).setUpdatedAt(0L).build());
      final boolean done = subscription.completeUnrecovered(mark, Optional.of(
          cursor -> FrameEncoder.snapshot(Kind.USER.wire(), cursor, data)));
      if (done) {
        context.metrics().snapshotSent();
      } else {
        requestSnapshot(subscription); // the buffer overflowed meanwhile: a fresher snapshot
      }
    }, failure -> subscription.fail(ErrorCode.INTERNAL, "no snapshot available: " + failure));
  }

  private void unsubscribe(final ClientFrame.Unsubscribe request) {
    final Channel channel = request.channel();
    if (isOtherUser(channel)) {
      reply(forbidden(request.ref()));
      return;
    }
    cancel(channel.kind());
    send(FrameEncoder.unsubscribed(request.ref(), channel.name()));
  }

  private void cancel(final Kind kind) {
    context.hub().unsubscribe(this, kind);
    final Subscription previous;
    synchronized (subscriptions) {
      previous = subscriptions.remove(kind);
    }
    if (previous != null) {
      previous.cancel();
    }
  }

  /** Removes {@code subscription} if it is still the current one of its channel. */
  private void forget(final Subscription subscription) {
    final Kind kind = subscription.channel().kind();
    final boolean current;
    synchronized (subscriptions) {
      current = subscriptions.remove(kind, subscription);
    }
    if (current) {
      context.hub().unsubscribe(this, kind);
    }
    subscription.cancel();
  }

  private void authenticate(final ClientFrame.Auth request) {
    if (terminating.get()) {
      return;
    }
    final TokenVerdict verdict = context.verifier().verify(request.token());
    if (verdict instanceof TokenVerdict.Rejected rejected) {
      final ErrorCode code = rejected.reason() == TokenVerdict.Reason.EXPIRED
          ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED;
      reply(new ProtocolError(Optional.of(request.ref()), code, rejected.message()));
      return;
    }
    final Principal next = ((TokenVerdict.Accepted) verdict).principal();
    if (!next.userId().equals(userId)) {
      reply(new ProtocolError(Optional.of(request.ref()), ErrorCode.FORBIDDEN,
          "the token is for another user"));
      return;
    }
    principal = next;
    scheduleExpiry(next);
    send(FrameEncoder.authenticated(request.ref(), next.expiresAt()));
  }

  private boolean isOtherUser(final Channel channel) {
    return channel.kind() == Kind.USER && channel.userId().isPresent()
        && !channel.userId().get().equals(userId);
  }

  private static ProtocolError forbidden(final String ref) {
    return new ProtocolError(Optional.of(ref), ErrorCode.FORBIDDEN,
        "the channel belongs to another user");
  }

  @Override
  public boolean deliver(final Kind kind, final EncodedEvent event) {
    if (kind == Kind.USER && !event.owner().equals(Optional.of(userId))) {
      // Unreachable through the Hub; refuse rather than leak.
      LOG.error("refused to deliver an event of another user to {}", transport.id());
      return false;
    }
    final Subscription subscription;
    synchronized (subscriptions) {
      subscription = subscriptions.get(kind);
    }
    return subscription != null && subscription.onLive(event);
  }

  @Override
  public void goAway() {
    closeNow(CloseCode.GOING_AWAY);
  }

  /** The connection closed (by either side): forget the session, its subscriptions and its queue. */
  public void onClosed() {
    if (!disconnected.compareAndSet(false, true)) {
      return;
    }
    closed.set(true);
    terminating.set(true);
    cancelExpiry();
    context.hub().unregister(this);
    final List<Subscription> left;
    synchronized (subscriptions) {
      left = List.copyOf(subscriptions.values());
      subscriptions.clear();
    }
    left.forEach(Subscription::cancel);
    queue.finish(Optional.empty(), true, () -> { });
    context.metrics().sessionPeakQueueBytes(queue.peakBytes());
  }

  private void reply(final ProtocolError error) {
    context.metrics().error(error.code());
    send(FrameEncoder.error(error));
  }

  private boolean send(final String frame) {
    return send(frame, Utf8.length(frame));
  }

  private boolean send(final String frame, final int bytes) {
    return send(OutboundFrame.of(frame, bytes));
  }

  private boolean send(final OutboundFrame frame) {
    final OutboundQueue.Offer offer = queue.offer(frame);
    if (offer == OutboundQueue.Offer.OVERFLOW) {
      slowConsumer();
    }
    return offer == OutboundQueue.Offer.ACCEPTED;
  }

  private void slowConsumer() {
    if (terminating.get()) {
      return;
    }
    context.metrics().slowConsumerDisconnect();
    LOG.info("closing {} (user {}): send queue overflowed", transport.id(), userId);
    terminate(ErrorCode.SLOW_CONSUMER, "send queue overflowed; reconnect and resume from your cursor",
        CloseCode.SLOW_CONSUMER, true);
  }

  private void expire(final Principal armed) {
    if (principal != armed) {
      return; // an auth op replaced the token meanwhile
    }
    LOG.debug("closing {}: token expired", transport.id());
    terminate(ErrorCode.TOKEN_EXPIRED, "token expired", CloseCode.TOKEN_EXPIRED, false);
  }

  /**
   * Ends the session: best effort, the error frame goes out after what is queued (or instead of
   * it), then the close; if the client does not read, the close goes out after the grace period
   * and the socket is aborted one grace period later.
   */
  private void terminate(final ErrorCode code, final String message, final CloseCode close,
      final boolean dropPending) {
    if (!terminating.compareAndSet(false, true)) {
      return;
    }
    cancelExpiry();
    context.metrics().error(code);
    queue.finish(Optional.of(FrameEncoder.error(new ProtocolError(Optional.empty(), code, message))),
        dropPending, () -> closeNow(close));
    schedule(() -> closeNow(close), context.closeGrace());
  }

  private void closeNow(final CloseCode code) {
    terminating.set(true);
    if (closed.compareAndSet(false, true)) {
      cancelExpiry();
      transport.close(code);
      // A client that does not read never receives the close frame, and the socket would stay
      // open behind it: drop it if it is still open after the grace period.
      schedule(this::abortIfOpen, context.closeGrace());
    }
  }

  private void abortIfOpen() {
    if (transport.abort()) {
      LOG.info("aborted the connection of {} (user {}): it did not complete the close",
          transport.id(), userId);
      context.metrics().connectionAborted();
    }
  }

  private void schedule(final Runnable task, final Duration delay) {
    try {
      context.timer().schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** Arms the close at the token's expiry, plus the clock skew the verifier allows. */
  private synchronized void scheduleExpiry(final Principal armed) {
    cancelExpiry();
    if (terminating.get()) {
      return;
    }
    final long delay = Math.max(0, Duration.between(context.clock().instant(),
        armed.expiresAt().plus(context.verifier().clockSkew())).toMillis());
    try {
      expiry = context.timer().schedule(() -> expire(armed), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("not arming the expiry of {}: gateway stopping", transport.id());
    }
  }

  private synchronized void cancelExpiry() {
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
  }

  /** The session as its subscriptions see it. */
  private final class Host implements Subscription.Host {

    @Override
    public void sendControl(final String frame) {
      send(frame);
    }

    @Override
    public void deliverLive(final EncodedEvent event) {
      if (send(event.out())) {
        context.metrics().eventDelivered(kindOf(event));
      }
    }

    @Override
    public OutboundQueue.Offer offerReplayed(final EncodedEvent event) {
      final OutboundQueue.Offer offer = queue.offer(event.out());
      if (offer == OutboundQueue.Offer.ACCEPTED) {
        context.metrics().eventReplayed(kindOf(event));
      }
      return offer;
    }

    @Override
    public boolean hasRoom() {
      return queue.hasRoom();
    }

    @Override
    public boolean isClosed() {
      return queue.isClosed();
    }

    @Override
    public void whenRoom(final Runnable waiter) {
      queue.whenRoom(waiter);
    }

    @Override
    public void unrecoverable(final Subscription subscription, final ResumePlan.Reason reason) {
      startUnrecovered(subscription, reason);
    }

    @Override
    public void recoveryFailed(final Subscription subscription, final boolean replied,
        final ErrorCode code, final String message) {
      forget(subscription);
      LOG.warn("recovery of {} for {} failed: {}", subscription.channel().name(), transport.id(),
          message);
      if (!replied) {
        reply(new ProtocolError(Optional.of(subscription.ref()), code, message));
      } else {
        // The client was told recovered:true and may have got part of the replay: only a
        // reconnect (resuming from its last cursor) can continue without a gap.
        terminate(code, message + "; reconnect and resume from your cursor",
            CloseCode.INTERNAL_ERROR, false);
      }
    }

    @Override
    public void recoveryStalled(final Subscription subscription) {
      forget(subscription);
      slowConsumer();
    }

    private Kind kindOf(final EncodedEvent event) {
      return event.owner().isPresent() ? Kind.USER : Kind.FEED;
    }
  }
}
