package io.tidewire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.client.Frames.Inbound;
import io.tidewire.protocol.ProtocolCodes.Advice;
import io.tidewire.protocol.ServerOp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A broadcast and presence channel (e.g. {@code room:lobby}, {@code call:<id>},
 * {@code item:video:<id>}): messages between clients, and who is on it. Get one with
 * {@link TidewireClient#channel(String)}.
 *
 * <pre>{@code
 * BroadcastChannel room = client.channel("room:lobby")
 *     .onBroadcast("typing", b -> showTyping(b.from()))
 *     .onPresence(change -> showOnline(change.state().userIds()));
 * room.join();                                   // joins now or once connected
 * room.track(Map.of("name", "Alice"));           // I am here (again after every reconnect)
 * room.broadcast("typing", Map.of("item", "video:42"));
 * }</pre>
 *
 * <p>Reconnects: a joined channel is joined again on every new connection, and the last meta
 * {@link #track tracked} is tracked again; the rejoin's presence state is compared with the one held,
 * so {@code onPresence} tells who came and went while the client was away. Broadcasts are delivered
 * at least once by the gateway and handed to the application once per id (among the last
 * {@code dedupCapacity}). Broadcasts sent while the client is offline are not queued: their future
 * fails.
 *
 * <p>Thread-safe: every method may be called from any thread; listeners run on the client's thread,
 * like its other listeners. The returned futures complete there too: do not block in them.
 */
public final class BroadcastChannel {

  /** Where the channel is. */
  public enum State {
    /** Not joined (never, or {@link #leave()} was called). */
    LEFT,
    /** Join wanted: waiting for a connection or for the gateway's {@code joined}. */
    JOINING,
    /** Joined on the current connection. */
    JOINED,
    /** The gateway refused the join for good (e.g. {@code forbidden}); {@link #join()} tries again. */
    REFUSED
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Delay before a join the gateway refused with a retryable code is sent again. */
  static final Duration JOIN_RETRY = Duration.ofSeconds(1);

  private record Handler(String event, Consumer<Broadcast> listener) {}

  private final String name;
  private final ChannelOptions options;
  private final BroadcastChannels owner;
  private final List<Handler> handlers = new CopyOnWriteArrayList<>();
  private final List<Consumer<PresenceChange>> presenceListeners = new CopyOnWriteArrayList<>();
  private volatile State state = State.LEFT;
  private volatile PresenceState presence = PresenceState.EMPTY;
  // serial executor only:
  private boolean wanted;
  private Optional<JsonNode> meta = Optional.empty();
  private Optional<String> joinRef = Optional.empty();
  private CompletableFuture<PresenceState> joinWait = new CompletableFuture<>();
  private final Map<String, CompletableFuture<Optional<String>>> pending = new HashMap<>();
  private Optional<CompletableFuture<Void>> trackWait = Optional.empty();

  BroadcastChannel(final String name, final ChannelOptions options, final BroadcastChannels owner) {
    this.name = name;
    this.options = Objects.requireNonNull(options, "options");
    this.owner = owner;
  }

  /** The channel's name. */
  public String name() {
    return name;
  }

  /** How it is joined. */
  public ChannelOptions options() {
    return options;
  }

  /** Where it is now. */
  public State state() {
    return state;
  }

  /** Who is on it, as last heard (empty before the first join). */
  public PresenceState presence() {
    return presence;
  }

  /** Calls {@code listener} with each broadcast of {@code event} ({@code "*"}: every event). */
  public BroadcastChannel onBroadcast(final String event, final Consumer<Broadcast> listener) {
    handlers.add(new Handler(Objects.requireNonNull(event, "event"), Objects.requireNonNull(listener, "listener")));
    return this;
  }

  /** Calls {@code listener} with each change of who is on the channel (the first: the state on join). */
  public BroadcastChannel onPresence(final Consumer<PresenceChange> listener) {
    presenceListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Joins, now if connected, else once connected, and again after every reconnect until
   * {@link #leave()}.
   *
   * @return completes with the presence state once joined; fails if the gateway refuses the join
   *     ({@link ClientError} reported too), on {@link #leave()} or when the client closes. Does not
   *     complete while the gateway stays unreachable: bound the wait.
   */
  public CompletionStage<PresenceState> join() {
    return on(() -> {
      if (state == State.JOINED) {
        return CompletableFuture.completedFuture(presence);
      }
      wanted = true;
      if (joinWait.isDone()) {
        joinWait = new CompletableFuture<>();
      }
      if (state != State.JOINING) {
        state = State.JOINING;
        owner.link().ifPresent(this::sendJoin);
      }
      return joinWait;
    });
  }

  /**
   * Leaves: untracks, stops rejoining, forgets the presence state (listeners see everyone leave).
   *
   * @return completes when the gateway confirmed ({@code left}), at once if not joined
   */
  public CompletionStage<Void> leave() {
    return on(() -> {
      wanted = false;
      meta = Optional.empty();
      failTrackWait("left " + name);
      joinWait.completeExceptionally(new TidewireClientException("left " + name + " before it was joined"));
      final boolean joined = state == State.JOINED || joinRef.isPresent();
      state = State.LEFT;
      joinRef = Optional.empty();
      replacePresence(PresenceState.EMPTY);
      if (joined && owner.link().isPresent()) {
        return request(ServerOp.LEFT.wire(), ref -> Frames.leave(ref, name)).thenApply(x -> null);
      }
      return CompletableFuture.completedFuture(null);
    });
  }

  /**
   * Sends {@code payload} (a JSON object, or anything Jackson turns into one) as {@code event} to
   * everyone on the channel (and to this client with {@link ChannelOptions#self()}).
   *
   * @return with {@link ChannelOptions#ack()}: completes with the message id once the gateway took
   *     it; without: completes (empty) once sent. Fails if the channel is not joined on a live
   *     connection, if the gateway refuses it ({@code rate_limited}, {@code payload_too_large}, …),
   *     or if the connection ends before the ack (the message may still have gone out)
   * @throws IllegalArgumentException if the event is blank or the payload not a JSON object
   */
  public CompletionStage<Optional<String>> broadcast(final String event, final Object payload) {
    if (event == null || event.isBlank()) {
      throw new IllegalArgumentException("event must not be blank");
    }
    final JsonNode body = object(payload, "payload");
    return on(() -> {
      if (state != State.JOINED || owner.link().isEmpty()) {
        return CompletableFuture.failedFuture(new TidewireClientException(
            "cannot broadcast on " + name + ": not joined (" + state + ")"));
      }
      if (options.ack()) {
        return request(ServerOp.BROADCAST_ACK.wire(), ref -> Frames.broadcast(ref, name, event, body));
      }
      owner.link().get().request(ref -> Frames.broadcast(ref, name, event, body));
      return CompletableFuture.completedFuture(Optional.empty());
    });
  }

  /**
   * Tracks this connection on the channel with {@code meta} (a JSON object), replacing what it
   * tracked before; tracked again after every reconnect until {@link #untrack()} or {@link #leave()}.
   *
   * @return completes when the gateway confirmed ({@code tracked}); if the channel is still
   *     joining, once joined and tracked. Fails if the channel is not joined nor joining, or the
   *     gateway refuses ({@code too_many_presences}, {@code rate_limited}, …)
   * @throws IllegalArgumentException if {@code meta} is not a JSON object
   */
  public CompletionStage<Void> track(final Object meta) {
    final JsonNode body = object(meta, "meta");
    return on(() -> {
      if (!wanted) {
        return CompletableFuture.failedFuture(new TidewireClientException("join " + name + " before tracking"));
      }
      this.meta = Optional.of(body);
      if (state == State.JOINED && owner.link().isPresent()) {
        return sendTrack(body);
      }
      failTrackWait("tracked again before joined");
      final CompletableFuture<Void> wait = new CompletableFuture<>();
      trackWait = Optional.of(wait);
      return wait;
    });
  }

  /** Stops tracking this connection; completes when the gateway confirmed, at once if not joined. */
  public CompletionStage<Void> untrack() {
    return on(() -> {
      final boolean was = meta.isPresent();
      meta = Optional.empty();
      failTrackWait("untracked");
      if (was && state == State.JOINED && owner.link().isPresent()) {
        return request(ServerOp.UNTRACKED.wire(), ref -> Frames.untrack(ref, name)).thenApply(x -> null);
      }
      return CompletableFuture.completedFuture(null);
    });
  }

  // ---- from BroadcastChannels, on the serial executor ----

  void attached(final BroadcastChannels.Link link) {
    if (wanted && state != State.JOINED) {
      state = State.JOINING;
      sendJoin(link);
    }
  }

  void detached() {
    joinRef = Optional.empty();
    if (state == State.JOINED) {
      state = State.JOINING;
    }
    failPending("the connection ended before the gateway answered (a broadcast may still have gone out)");
  }

  void closed() {
    wanted = false;
    state = State.LEFT;
    joinRef = Optional.empty();
    final TidewireClientException closed = new TidewireClientException("the client is closed");
    joinWait.completeExceptionally(closed);
    failTrackWait("the client is closed");
    failPending("the client is closed");
  }

  void received(final Inbound.ChannelFrame frame) {
    if (frame instanceof Inbound.Joined joined) {
      if (joinRef.isPresent() && joinRef.get().equals(joined.ref())) {
        joinRef = Optional.empty();
        state = State.JOINED;
        joined.presence().ifPresent(this::replacePresence);
        meta.ifPresent(m -> {
          final CompletableFuture<Void> tracked = sendTrack(m);
          trackWait.ifPresent(w -> tracked.whenComplete((r, e) -> {
            if (e != null) {
              w.completeExceptionally(e);
            } else {
              w.complete(null);
            }
          }));
          trackWait = Optional.empty();
        });
        joinWait.complete(presence);
      }
    } else if (frame instanceof Inbound.BroadcastFrame broadcast) {
      if (state == State.JOINED && owner.firstSeen(broadcast.broadcast())) {
        for (final Handler handler : handlers) {
          if (handler.event().equals("*") || handler.event().equals(broadcast.broadcast().event())) {
            owner.delivery().call("onBroadcast", handler.listener(), broadcast.broadcast());
          }
        }
      }
    } else if (frame instanceof Inbound.BroadcastAck ack) {
      complete(ack.ref(), Optional.of(ack.id()));
    } else if (frame instanceof Inbound.TrackReply reply) {
      complete(reply.ref(), Optional.empty());
    } else if (frame instanceof Inbound.Left left) {
      complete(left.ref(), Optional.empty());
    } else if (frame instanceof Inbound.PresenceDiff diff) {
      if (state == State.JOINED) {
        emit(presence.apply(diff.joins(), diff.leaves()), false);
      }
    }
  }

  boolean error(final String ref, final Inbound.ErrorFrame error) {
    final TidewireClientException failure = new TidewireClientException(
        name + ": " + error.wireCode() + ": " + error.message());
    if (joinRef.isPresent() && joinRef.get().equals(ref)) {
      joinRef = Optional.empty();
      if (error.advice() == Advice.TERMINAL) {
        wanted = false;
        state = State.REFUSED;
        failTrackWait(failure.getMessage());
        joinWait.completeExceptionally(failure);
      } else {
        owner.serial().schedule(() -> owner.link().ifPresent(this::attached), JOIN_RETRY);
      }
      return true;
    }
    final CompletableFuture<Optional<String>> waiting = pending.remove(ref);
    if (waiting == null) {
      return false;
    }
    waiting.completeExceptionally(failure);
    return true;
  }

  // ---- internals ----

  private void sendJoin(final BroadcastChannels.Link link) {
    joinRef = Optional.of(link.request(ref -> Frames.join(ref, name, options)));
  }

  private CompletableFuture<Void> sendTrack(final JsonNode body) {
    return request(ServerOp.TRACKED.wire(), ref -> Frames.track(ref, name, body)).thenApply(x -> null);
  }

  /** Sends a request whose answer (or error) completes the returned future, bounded by the timeout. */
  private CompletableFuture<Optional<String>> request(final String answer,
      final java.util.function.Function<String, String> frame) {
    final CompletableFuture<Optional<String>> future = new CompletableFuture<>();
    final String ref = owner.link().orElseThrow().request(frame);
    pending.put(ref, future);
    final Duration timeout = owner.timeout();
    owner.serial().schedule(() -> {
      if (pending.remove(ref, future)) {
        future.completeExceptionally(new TidewireClientException(
            name + ": no " + answer + " within " + timeout.toMillis() + " ms"));
      }
    }, timeout);
    return future;
  }

  private void complete(final String ref, final Optional<String> value) {
    final CompletableFuture<Optional<String>> waiting = pending.remove(ref);
    if (waiting != null) {
      waiting.complete(value);
    }
  }

  private void failPending(final String why) {
    final List<CompletableFuture<Optional<String>>> all = List.copyOf(pending.values());
    pending.clear();
    all.forEach(f -> f.completeExceptionally(new TidewireClientException(name + ": " + why)));
  }

  private void failTrackWait(final String why) {
    trackWait.ifPresent(w -> w.completeExceptionally(new TidewireClientException(name + ": " + why)));
    trackWait = Optional.empty();
  }

  private void replacePresence(final PresenceState next) {
    emit(presence.sync(next), true);
  }

  private void emit(final PresenceState.Transition transition, final boolean always) {
    presence = transition.state();
    if (always || transition.changed()) {
      final PresenceChange change = new PresenceChange(name, transition.state(), transition.joins(),
          transition.leaves());
      for (final Consumer<PresenceChange> listener : presenceListeners) {
        owner.delivery().call("onPresence", listener, change);
      }
    }
  }

  /** Runs {@code action} on the client's thread and hands its future's outcome to the caller. */
  private <T> CompletionStage<T> on(final Supplier<CompletableFuture<T>> action) {
    final CompletableFuture<T> result = new CompletableFuture<>();
    final Runnable run = () -> {
      try {
        action.get().whenComplete((r, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(r);
          }
        });
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    };
    if (owner.serial().inExecutor()) {
      run.run();
    } else if (!owner.serial().execute(run)) {
      result.completeExceptionally(new TidewireClientException("the client is closed"));
    }
    return result.minimalCompletionStage();
  }

  private static JsonNode object(final Object value, final String what) {
    final JsonNode node = value instanceof JsonNode json ? json : JSON.valueToTree(value);
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    return node;
  }

  @Override
  public String toString() {
    return "BroadcastChannel[" + name + ", " + state + "]";
  }
}
