package io.tidewire.gateway.session;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.broadcast.Channels;
import io.tidewire.gateway.broadcast.Member;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Decoded;
import io.tidewire.gateway.protocol.FrameDecoder;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection (the Client role): the owner of its {@link SessionCore}. It decodes the
 * client's frames with the v1 codec ({@link FrameDecoder}), feeds every input to the core, and
 * applies the {@link Effect}s the core returns: replies written by the v1 codec
 * ({@link FrameEncoder#encode}) and events go to the bounded {@link OutboundQueue}; replay reads go
 * to the {@link Replays}; snapshots, timers, closes and the hub are handled here. Knows nothing of
 * WebSocket beyond {@link Transport}.
 *
 * <p><b>Concurrency: one input at a time, effects applied in input order, no lock.</b> Inputs
 * arrive on Tyrus threads (frames, the close), tail threads (live events), replay workers (read
 * results), the state store's thread (snapshots), the timer and whichever thread completes a send
 * (room in the queue). Each input is appended to the session's inbox, a lock-free queue; the thread
 * that finds nobody draining it drains it (caller runs): it feeds the inputs to the core one by one
 * and applies each input's effects, all of them, before the next input. So the core is confined to
 * one thread at a time, and the effects of two inputs never interleave: a {@code subscribed} reply
 * is queued before any event that follows it because the input that produced it came first. An
 * answer produced while applying (a queue callback, a timer that fires at once) is just another
 * input, handled after the current one; only the queue's refusal of a frame (overflow) and a
 * refused replay admission are fed back at once, so no frame is queued after a refused one. Every
 * effect is non-blocking, so a drainer never waits and the inbox stays short.
 *
 * <p>Joining a live tail is the one step taken outside the inbox: a permitted {@code subscribe}
 * joins on the frame's thread, under the tail's seam, which files the session in the {@link Hub}
 * and appends the {@code joined} input before the tail dispatches its next record. No tail thread
 * ever joins (a drainer may be a tail thread holding its own seam), and every live event of the
 * new subscription is an input after {@code joined}.
 *
 * <p>The user id comes from the token verified at the upgrade and never changes.
 *
 * <p>Thread-safe.
 */
public final class ClientSession implements Subscriber, Member {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
  /** Serials of this gateway's sessions, naming a broadcast's sender among them. */
  private static final AtomicLong SESSIONS = new AtomicLong();

  private final Transport transport;
  private final SessionContext context;
  private final GatewayMetrics metrics;
  private final String userId;
  private final OutboundQueue queue;
  private final Outlet outlet;
  private final SessionCore core;
  private final Queue<Function<SessionCore, List<Effect>>> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong serials = new AtomicLong();
  // Confined to the draining thread, like the core.
  private final Map<Object, ScheduledFuture<?>> timers = new HashMap<>();
  private int replaysAdmitted;
  // Confined to the thread that delivers the client's frames (Tyrus delivers one at a time).
  private FrameBudget budget;

  /**
   * A session of the Tidewire protocol: it owns the connection and its send queue.
   *
   * @param transport the connection
   * @param principal the verified token's principal
   * @param context what all sessions share
   */
  public ClientSession(final Transport transport, final Principal principal,
      final SessionContext context) {
    this(transport, principal, context, Outlet.v1(new OutboundQueue(transport, context.queueMessages(),
        context.queueBytes(), context.metrics()::frameOut,
        failure -> LOG.debug("send to {} failed: {}", transport.id(), failure.toString())),
        context.cursors()));
  }

  /**
   * A session whose output goes through {@code outlet} (e.g. one Phoenix channel of a connection).
   *
   * @param transport the connection
   * @param principal the verified token's principal
   * @param context what all sessions share
   * @param outlet the codec and queue of the session's frames
   */
  public ClientSession(final Transport transport, final Principal principal,
      final SessionContext context, final Outlet outlet) {
    this.transport = transport;
    this.context = context;
    this.metrics = context.metrics();
    this.userId = principal.userId();
    this.outlet = outlet;
    this.queue = outlet.queue();
    final Channels channels = context.channels();
    this.core = new SessionCore(principal, new SessionCore.Limits(context.queueMessages(),
        context.queueBytes(), context.recoveryTimeout(), context.verifier().clockSkew(),
        context.maxScanRecords()), new BroadcastMessage.Sender(channels.gatewayId(),
        SESSIONS.incrementAndGet()), channels.limits(), channels::nextPresenceRef, System.nanoTime());
    this.budget = FrameBudget.of(context.frameLimits(), System.nanoTime());
  }

  /** Registers the session and arms its token expiry. Call once, when the connection opens. */
  public void open() {
    context.hub().register(this);
    submit(core -> core.opened(context.clock().instant()));
  }

  @Override
  public String userId() {
    return userId;
  }

  /** The current principal (its expiry moves with {@code auth} ops). */
  public Principal principal() {
    return core.principal();
  }

  /** Handles one text frame from the client. */
  public void onText(final String text) {
    metrics.frameIn();
    if (Utf8.exceeds(text, context.maxFrameBytes())) {
      metrics.oversizedFrame();
      LOG.debug("closing {}: frame over {} bytes", transport.id(), context.maxFrameBytes());
      submit(core -> core.close(CloseCode.MESSAGE_TOO_BIG));
      return;
    }
    final Decoded decoded = FrameDecoder.decode(text, context.cursors());
    if (!withinRate(decoded instanceof Decoded.Request request
        ? Optional.of(request.frame().ref()) : Optional.empty())) {
      return;
    }
    if (decoded instanceof Decoded.Invalid invalid) {
      submit(core -> core.refuse(invalid.error()));
      return;
    }
    perform(((Decoded.Request) decoded).frame());
  }

  /**
   * Performs a well-formed request (already admitted by the frame budget): a permitted
   * {@code subscribe} joins the channel's live tail, {@code auth} verifies its token first.
   */
  public void perform(final ClientFrame frame) {
    if (frame instanceof ClientFrame.Subscribe subscribe && !context.hub().serves(subscribe.channel().kind())) {
      submit(core -> core.refuse(ProtocolError.badRequest(Optional.of(subscribe.ref()),
          "channel " + subscribe.channel().name() + " is not served by this gateway")));
      return;
    }
    if (frame instanceof ClientFrame.Subscribe subscribe
        && SessionCore.mayJoin(userId, subscribe.channel())) {
      join(subscribe);
    } else if (frame instanceof ClientFrame.Join request) {
      if (context.channels().rules().mayJoin(userId, request.channel())) {
        joinChannel(request);
      } else {
        // an item created a moment ago may not be in the view yet: asked again once it caught up
        context.channels().rules().recheckUnknownItem(userId, request.channel(), admitted -> {
          if (admitted) {
            joinChannel(request);
          } else {
            submit(core -> core.joinForbidden(request));
          }
        });
      }
    } else if (frame instanceof ClientFrame.Leave || frame instanceof ClientFrame.Broadcast
        || frame instanceof ClientFrame.Track || frame instanceof ClientFrame.Untrack) {
      submit(request(frame.ref(), core -> core.channelRequest(frame, System.nanoTime())));
    } else if (frame instanceof ClientFrame.Auth auth) {
      submit(request(auth.ref(), core -> core.auth(auth.ref(),
          context.verifier().verify(auth.token()), context.clock().instant())));
    } else {
      submit(request(frame.ref(), core -> core.request(frame)));
    }
  }

  /**
   * Replaces the session's token with an already verified one (same user only; the core answers
   * with {@link io.tidewire.gateway.protocol.Reply.Authenticated} or an error for {@code ref}).
   */
  public void authenticated(final String ref, final TokenVerdict verdict) {
    submit(request(ref, core -> core.auth(ref, verdict, context.clock().instant())));
  }

  /** Handles a binary frame of {@code bytes} bytes: the protocol is text only. */
  public void onBinary(final int bytes) {
    metrics.frameIn();
    if (bytes > context.maxFrameBytes()) {
      metrics.oversizedFrame();
      submit(core -> core.close(CloseCode.MESSAGE_TOO_BIG));
      return;
    }
    if (!withinRate(Optional.empty())) {
      return;
    }
    submit(core -> core.refuse(ProtocolError.badRequest(Optional.empty(),
        "binary frames are not supported")));
  }

  /**
   * Spends the frame's share of the session's {@link FrameBudget}; a frame beyond it is refused
   * ({@code rate_limited}), and persistent abuse closes the connection (4029).
   *
   * @return whether the frame may be performed
   */
  private boolean withinRate(final Optional<String> ref) {
    final FrameBudget.Spent spent = budget.frame(System.nanoTime());
    budget = spent.budget();
    switch (spent.verdict()) {
      case ADMIT:
        return true;
      case REFUSE:
        metrics.frameRateLimited();
        submit(core -> core.throttled(ref));
        return false;
      default:
        metrics.frameRateLimited();
        submit(SessionCore::abusive);
        return false;
    }
  }

  /** Joins the channel's live tail at its seam; the core learns where in the {@code joined} input. */
  private void join(final ClientFrame.Subscribe request) {
    final SubscriptionId id = new SubscriptionId(request.channel().kind(), serials.incrementAndGet());
    context.hub().subscribe(this, id, position -> inbox.add(request(request.ref(),
        core -> core.joined(request, id, position, System.nanoTime()))));
    drain();
  }

  /**
   * Files the session under a broadcast/presence channel at the channels' seam; the core learns the
   * channel's presences in the {@code channelJoined} input, before any later diff or broadcast.
   */
  private void joinChannel(final ClientFrame.Join request) {
    context.channels().join(this, request.channel(), state -> inbox.add(request(request.ref(),
        core -> core.channelJoined(request, state))));
    drain();
  }

  @Override
  public void broadcast(final BroadcastMessage message) {
    submit(core -> core.broadcastReceived(message));
  }

  @Override
  public void presence(final PresenceDiff diff) {
    submit(core -> core.presenceChanged(diff));
  }

  @Override
  public boolean deliver(final Kind kind, final EncodedEvent event) {
    if (!SessionCore.mayReceive(userId, kind, event)) {
      // Unreachable through the Hub; refuse rather than leak.
      LOG.error("refused to deliver an event of another user to {}", transport.id());
      return false;
    }
    submit(core -> core.live(kind, event));
    return true;
  }

  @Override
  public void goAway() {
    submit(core -> core.close(CloseCode.GOING_AWAY));
  }

  /** The connection closed (by either side): forget the session, its subscriptions and its queue. */
  public void onClosed() {
    submit(SessionCore::disconnected);
  }

  // ---------------------------------------------------------------- the inbox

  /** A request's input: an unexpected failure answers the request with {@code internal}. */
  private Function<SessionCore, List<Effect>> request(final String ref,
      final Function<SessionCore, List<Effect>> input) {
    return core -> {
      try {
        return input.apply(core);
      } catch (RuntimeException e) {
        LOG.warn("internal error handling a frame of {}", transport.id(), e);
        return core.internalError(ref);
      }
    };
  }

  private void submit(final Function<SessionCore, List<Effect>> input) {
    inbox.add(input);
    drain();
  }

  private void drain() {
    // Whoever added after the last poll and found the flag taken is served by the re-check.
    while (!inbox.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        Function<SessionCore, List<Effect>> input;
        while ((input = inbox.poll()) != null) {
          try {
            apply(input.apply(core));
          } catch (RuntimeException e) {
            LOG.error("session {} failed an input", transport.id(), e);
          }
        }
      } finally {
        draining.set(false);
      }
    }
  }

  // ---------------------------------------------------------------- effects

  private void apply(final List<Effect> effects) {
    for (final Effect effect : effects) {
      try {
        apply(effect);
      } catch (RuntimeException e) {
        LOG.error("session {} failed to apply {}", transport.id(), effect, e);
      }
    }
  }

  private void apply(final Effect effect) {
    if (effect instanceof Effect.Send send) {
      send(send.reply());
    } else if (effect instanceof Effect.Deliver deliver) {
      deliver(deliver);
    } else if (effect instanceof Effect.Terminate terminate) {
      terminate(terminate);
    } else if (effect instanceof Effect.Close close) {
      if (!outlet.ownsConnection()) {
        outlet.close(close.code());
        return;
      }
      transport.close(close.code());
      // A client that does not read never receives the close frame, and the socket would stay
      // open behind it: drop it if it is still open after the grace period.
      schedule(this::abortIfOpen, context.closeGrace());
    } else if (effect instanceof Effect.Leave leave) {
      context.hub().unsubscribe(this, leave.id());
    } else if (effect instanceof Effect.Publish publish) {
      final BroadcastMessage message = publish.message();
      context.channels().publish(message,
          () -> submit(core -> core.published(publish.ref(), message, publish.ack())),
          failure -> submit(core -> core.internalError(publish.ref())));
    } else if (effect instanceof Effect.Track track) {
      context.channels().track(track.presence(), track.replaced(),
          outcome -> submit(core -> core.trackEnded(track.ref(), track.presence(), outcome)));
    } else if (effect instanceof Effect.Untrack untrack) {
      final Presence presence = untrack.presence();
      context.channels().untrack(presence,
          () -> untrack.ref().ifPresent(ref -> submit(core -> core.untracked(ref, presence.channel()))),
          failure -> untrack.ref().ifPresent(ref -> submit(core -> core.internalError(ref))));
    } else if (effect instanceof Effect.LeaveChannel leave) {
      context.channels().leave(this, leave.channel());
    } else if (effect instanceof Effect.Refused refused) {
      metrics.channelRefused(refused.reason());
    } else if (effect instanceof Effect.Forget) {
      context.hub().unregister(this);
      context.channels().leaveAll(this);
      if (outlet.ownsConnection()) {
        queue.finish(Optional.empty(), true, () -> { });
        metrics.sessionPeakQueueBytes(queue.peakBytes());
      }
    } else if (effect instanceof Effect.StartReplay start) {
      if (replaysAdmitted >= context.replaysPerSession()) {
        metrics.replaySlotRefused("session");
        apply(core.replayRejected(start.check().id()));
      } else if (replays().admit(userId)) {
        replaysAdmitted++;
        read(start.check());
      } else {
        apply(core.replayRejected(start.check().id()));
      }
    } else if (effect instanceof Effect.Read read) {
      read(read.read());
    } else if (effect instanceof Effect.EndReplay end) {
      replaysAdmitted--;
      replays().finished(userId, end.outcome(), end.took());
    } else if (effect instanceof Effect.TakeSnapshot take) {
      context.recovery().snapshot(userId, state -> submit(core -> core.snapshot(take.id(), state)),
          reason -> submit(core -> core.snapshotFailed(take.id(), reason)));
    } else if (effect instanceof Effect.AwaitRoom await) {
      queue.whenRoom(() -> submit(core -> core.room(await.id(), await.token(), queue.room(),
          System.nanoTime())));
    } else if (effect instanceof Effect.Schedule schedule) {
      arm(schedule.timer(), schedule.delay());
    } else if (effect instanceof Effect.Cancel cancel) {
      disarm(cancel.timer());
    } else if (effect instanceof Effect.Unrecoverable unrecoverable) {
      metrics.unrecoverable(unrecoverable.reason());
      LOG.debug("{} resubscribes without recovery: {}", transport.id(),
          unrecoverable.reason().message());
    } else {
      throw new IllegalStateException("unhandled effect " + effect);
    }
  }

  private void send(final Reply reply) {
    if (reply instanceof ProtocolError error) {
      metrics.error(error.code());
      if (error.code() == ErrorCode.INTERNAL) {
        LOG.warn("request of {} failed: {}", transport.id(), error.message());
      }
    } else if (reply instanceof Reply.Snapshot) {
      metrics.snapshotSent();
    } else if (reply instanceof Reply.Broadcast) {
      metrics.broadcastDelivered();
    } else if (reply instanceof Reply.PresenceChanged) {
      metrics.presenceDiffDelivered();
    }
    outlet.reply(reply).ifPresent(this::offer);
  }

  private void deliver(final Effect.Deliver deliver) {
    final EncodedEvent event = deliver.event();
    final List<OutboundFrame> frames = outlet.event(event);
    boolean queued = !frames.isEmpty();
    for (final OutboundFrame frame : frames) {
      queued = offer(frame) && queued;
    }
    if (queued) {
      final Kind kind = event.owner().isPresent() ? Kind.USER : Kind.FEED;
      if (deliver.flow() == Effect.Flow.LIVE) {
        metrics.eventDelivered(kind);
      } else {
        metrics.eventReplayed(kind);
      }
    }
  }

  /** Queues a frame; a refusal for lack of room is fed back to the core before anything else. */
  private boolean offer(final OutboundFrame frame) {
    final OutboundQueue.Offer offer = queue.offer(frame);
    if (offer == OutboundQueue.Offer.OVERFLOW) {
      apply(core.overflowed());
    }
    return offer == OutboundQueue.Offer.ACCEPTED;
  }

  /**
   * Ends the session: best effort, the error frame goes out after what is queued (or instead of
   * it), then the close; if the client does not read, the close goes out after the grace period
   * and the socket is aborted one grace period later.
   */
  private void terminate(final Effect.Terminate terminate) {
    if (terminate.code() == ErrorCode.SLOW_CONSUMER) {
      metrics.slowConsumerDisconnect();
      LOG.info("closing {} (user {}): {}", transport.id(), userId, terminate.message());
    } else if (terminate.code() == ErrorCode.RATE_LIMITED) {
      metrics.rateLimitedDisconnect();
      LOG.info("closing {} (user {}): {}", transport.id(), userId, terminate.message());
    } else if (terminate.code() == ErrorCode.INTERNAL) {
      LOG.warn("closing {} (user {}): {}", transport.id(), userId, terminate.message());
    } else {
      LOG.debug("closing {}: {}", transport.id(), terminate.message());
    }
    metrics.error(terminate.code());
    if (!outlet.ownsConnection()) {
      outlet.ended(new ProtocolError(Optional.empty(), terminate.code(), terminate.message()));
      submit(SessionCore::disconnected);
      return;
    }
    final Runnable close = () -> submit(core -> core.close(terminate.close()));
    queue.finish(Optional.of(FrameEncoder.error(new ProtocolError(Optional.empty(),
        terminate.code(), terminate.message()))), terminate.dropPending(), close);
    schedule(close, context.closeGrace());
  }

  private void read(final ReplayRead read) {
    replays().read(read, result -> submit(core -> core.replayed(result, queue.room(),
        System.nanoTime())));
  }

  private Replays replays() {
    return context.recovery().replays();
  }

  private void abortIfOpen() {
    if (transport.abort()) {
      LOG.info("aborted the connection of {} (user {}): it did not complete the close",
          transport.id(), userId);
      metrics.connectionAborted();
    }
  }

  private void arm(final Effect.Timer timer, final Duration delay) {
    disarm(timer);
    try {
      timers.put(timer.slot(), context.timer().schedule(() -> submit(core -> core.timer(timer)),
          delay.toMillis(), TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException e) {
      LOG.debug("not arming a timer of {}: gateway stopping", transport.id());
    }
  }

  private void disarm(final Effect.Timer timer) {
    final ScheduledFuture<?> armed = timers.remove(timer.slot());
    if (armed != null) {
      armed.cancel(false);
    }
  }

  private void schedule(final Runnable task, final Duration delay) {
    try {
      context.timer().schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }
}
