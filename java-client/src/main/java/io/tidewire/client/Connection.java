package io.tidewire.client;

import io.tidewire.client.Frames.Inbound;
import io.tidewire.protocol.Protocol;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.OtherCloseCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection's protocol: opens it with a token, subscribes every channel (with its
 * cursor), dispatches the gateway's frames, sends {@code auth} refreshes and heartbeat pings, and
 * tells its {@link Owner} when it is ready (every subscription confirmed) or over. It reports the
 * end once, and nothing after it.
 *
 * <p>Flow control: the next frame is read only after the previous one was handled, so a slow
 * application slows the socket down (and the gateway eventually cuts it off as a slow consumer,
 * after which the client resumes from its cursor) instead of queueing in memory.
 *
 * <p>Thread-safety: the {@link WebSocket.Listener} methods run on the HTTP client's threads and
 * only hand over to the serial executor; everything else runs on the serial executor.
 */
final class Connection implements WebSocket.Listener, BroadcastChannels.Link {

  /** What a connection tells the client about itself; called on the serial executor. */
  interface Owner {
    /** Every subscription is confirmed. */
    void ready(Connection connection);

    /** The connection could not be opened. */
    void openFailed(Connection connection, Throwable cause);

    /** The open connection ended: closed by the gateway (its code), or dropped / silent (1006). */
    void lost(Connection connection, int closeCode, String reason, Optional<Throwable> cause);

    /** The gateway refused a subscription; the connection is still open. */
    void subscribeRefused(Connection connection, Channel channel, Inbound.ErrorFrame error);

    /** The gateway accepted the token sent by {@link #refresh(Token)}. */
    void refreshed(Connection connection);

    /** The gateway refused the token sent by {@link #refresh(Token)}. */
    void refreshRefused(Connection connection, Inbound.ErrorFrame error);
  }

  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  private final int id;
  private final Owner owner;
  private final SerialExecutor serial;
  private final Delivery delivery;
  private final BroadcastChannels channels;
  private final ClientSettings settings;
  private final Supplier<String> refs;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final Map<String, Channel> pendingSubscribes = new LinkedHashMap<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile long lastInboundNanos = System.nanoTime();
  private volatile boolean draining;
  private Token token;
  private Optional<PendingAuth> pendingAuth = Optional.empty();
  private Optional<CompletableFuture<WebSocket>> opening = Optional.empty();
  private Optional<WebSocket> socket = Optional.empty();
  private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);
  private Optional<ScheduledFuture<?>> subscribeTimer = Optional.empty();
  private Optional<ScheduledFuture<?>> heartbeat = Optional.empty();
  private boolean ready;
  private boolean over;

  private record PendingAuth(String ref, Token token) {}

  /**
   * @param id a number for logs (the attempt's generation)
   * @param token the token to connect with
   * @param refs hands out request refs, unique per client
   */
  Connection(final int id, final Token token, final Owner owner, final SerialExecutor serial,
      final Delivery delivery, final BroadcastChannels channels, final ClientSettings settings,
      final Supplier<String> refs) {
    this.id = id;
    this.token = token;
    this.owner = owner;
    this.serial = serial;
    this.delivery = delivery;
    this.channels = channels;
    this.settings = settings;
    this.refs = refs;
  }

  /** The token the gateway currently holds for this connection. */
  Token token() {
    return token;
  }

  /** Starts the opening handshake; the outcome arrives through the owner. */
  void open(final HttpClient http) {
    final URI endpoint = settings.endpoint();
    final CompletableFuture<WebSocket> future;
    try {
      future = http.newWebSocketBuilder()
          .header("Authorization", Protocol.BEARER_SCHEME + " " + token.value())
          .connectTimeout(settings.connectTimeout())
          .buildAsync(endpoint, this);
    } catch (IllegalArgumentException e) { // e.g. a token with characters a header cannot carry
      failedToOpen(e);
      return;
    }
    opening = Optional.of(future);
    future.whenComplete((ws, error) -> {
      if (error != null) {
        failedToOpen(error);
      }
    });
    LOG.debug("connection {}: opening {}", id, endpoint);
  }

  private void failedToOpen(final Throwable error) {
    terminated.complete(null);
    serial.execute(() -> {
      if (!over) {
        over = true;
        owner.openFailed(this, error);
      }
    });
  }

  /** Sends an {@code auth} op with {@code fresh}; the outcome arrives through the owner. */
  void refresh(final Token fresh) {
    if (over || socket.isEmpty()) {
      return;
    }
    final String ref = refs.get();
    pendingAuth = Optional.of(new PendingAuth(ref, fresh));
    send(Frames.auth(ref, fresh.value()));
  }

  /**
   * Ends the connection from this side with a normal close (1000), without telling the owner.
   * The returned future completes when the gateway answered the close, or after the close timeout
   * (the socket is then aborted).
   */
  CompletableFuture<Void> close() {
    end();
    draining = true;
    opening.ifPresent(f -> f.cancel(true));
    final Optional<WebSocket> ws = socket;
    if (ws.isEmpty()) {
      terminated.complete(null);
      return terminated;
    }
    sends = sends.handle((r, e) -> null)
        .thenCompose(x -> ws.get().sendClose(CloseCode.NORMAL.code(), "client closed"))
        .whenComplete((r, e) -> {
          if (e != null) {
            terminated.complete(null);
          }
        });
    ws.get().request(1); // the gateway's close must be read even if a frame is still unread
    return terminated
        .completeOnTimeout(null, settings.closeTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((r, e) -> ws.get().abort());
  }

  /** Ends the connection at once (no close handshake), without telling the owner. */
  void abort() {
    end();
    opening.ifPresent(f -> f.cancel(true));
    socket.ifPresent(WebSocket::abort);
    terminated.complete(null);
  }

  // ---- WebSocket.Listener: HTTP client threads; hand over to the serial executor ----

  @Override
  public void onOpen(final WebSocket webSocket) {
    lastInboundNanos = System.nanoTime();
    if (!serial.execute(() -> opened(webSocket))) {
      webSocket.abort();
      return;
    }
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last) {
    lastInboundNanos = System.nanoTime();
    if (draining) {
      partial.setLength(0);
      webSocket.request(1);
      return null;
    }
    partial.append(data);
    if (!last) {
      webSocket.request(1);
      return null;
    }
    final String text = partial.toString();
    partial.setLength(0);
    serial.execute(() -> {
      try {
        received(text);
      } finally {
        webSocket.request(1);
      }
    });
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(final WebSocket webSocket, final ByteBuffer data, final boolean last) {
    lastInboundNanos = System.nanoTime();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(final WebSocket webSocket, final ByteBuffer message) {
    lastInboundNanos = System.nanoTime();
    return WebSocket.Listener.super.onPing(webSocket, message);
  }

  @Override
  public CompletionStage<?> onPong(final WebSocket webSocket, final ByteBuffer message) {
    lastInboundNanos = System.nanoTime();
    return WebSocket.Listener.super.onPong(webSocket, message);
  }

  @Override
  public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason) {
    terminated.complete(null);
    serial.execute(() -> ended(statusCode, reason, Optional.empty()));
    return null;
  }

  @Override
  public void onError(final WebSocket webSocket, final Throwable error) {
    terminated.complete(null);
    serial.execute(() -> ended(OtherCloseCode.ABNORMAL.code(), "connection failed: " + error,
        Optional.of(error)));
  }

  // ---- serial executor ----

  private void opened(final WebSocket webSocket) {
    socket = Optional.of(webSocket);
    opening = Optional.empty();
    if (over) {
      webSocket.abort();
      return;
    }
    LOG.debug("connection {}: open, subscribing {}", id, settings.channels());
    for (final Channel channel : settings.channels()) {
      final String ref = refs.get();
      pendingSubscribes.put(ref, channel);
      send(Frames.subscribe(ref, channel, delivery.cursors().get(channel.name())));
    }
    if (pendingSubscribes.isEmpty()) {
      becomeReady();
    } else {
      subscribeTimer = serial.schedule(this::subscribeTimedOut, settings.connectTimeout());
    }
    if (!settings.pingInterval().isZero()) {
      heartbeat = serial.scheduleRepeating(this::heartbeat, settings.pingInterval());
    }
  }

  private void received(final String text) {
    if (over) {
      return;
    }
    final Inbound frame = Frames.decode(text);
    if (frame instanceof Inbound.EventFrame event) {
      delivery.event(event.event());
    } else if (frame instanceof Inbound.SubscribedReply reply) {
      subscribed(reply);
    } else if (frame instanceof Inbound.ChannelFrame channelFrame) {
      channels.received(channelFrame);
    } else if (frame instanceof Inbound.SnapshotFrame snapshot) {
      delivery.snapshot(snapshot.snapshot());
    } else if (frame instanceof Inbound.ErrorFrame error) {
      error(error);
    } else if (frame instanceof Inbound.Authenticated authenticated) {
      authenticated(authenticated.ref());
    } else if (frame instanceof Inbound.Malformed malformed) {
      delivery.error(ClientError.of(ClientError.Kind.BAD_FRAME,
          "unreadable frame from the gateway (" + malformed.problem() + ")", Optional.empty()));
    } else if (frame instanceof Inbound.Unknown unknown) {
      LOG.debug("connection {}: ignored a frame with unknown op {}", id, unknown.op());
    }
    // Pong and UnsubscribedReply need nothing beyond the inbound time already recorded.
    lastInboundNanos = System.nanoTime();
  }

  private void subscribed(final Inbound.SubscribedReply reply) {
    final Channel channel = pendingSubscribes.remove(reply.ref());
    if (channel == null) {
      LOG.debug("connection {}: subscribed reply to unknown ref {}", id, reply.ref());
      return;
    }
    delivery.subscribed(reply.subscribed());
    if (pendingSubscribes.isEmpty() && !ready) {
      becomeReady();
    }
  }

  private void becomeReady() {
    ready = true;
    subscribeTimer.ifPresent(t -> t.cancel(false));
    owner.ready(this);
  }

  private void error(final Inbound.ErrorFrame error) {
    delivery.error(ClientError.serverError(error.code(),
        error.wireCode() + ": " + error.message(), error.ref()));
    if (error.ref().isEmpty()) {
      return; // slow_consumer / token_expired: the close that follows decides
    }
    final String ref = error.ref().get();
    final Channel channel = pendingSubscribes.remove(ref);
    if (channel != null) {
      owner.subscribeRefused(this, channel, error);
    } else if (pendingAuth.isPresent() && pendingAuth.get().ref().equals(ref)) {
      pendingAuth = Optional.empty();
      owner.refreshRefused(this, error);
    } else {
      channels.error(ref, error);
    }
  }

  private void authenticated(final String ref) {
    if (pendingAuth.isPresent() && pendingAuth.get().ref().equals(ref)) {
      token = pendingAuth.get().token();
      pendingAuth = Optional.empty();
      LOG.debug("connection {}: token refreshed, now {}", id, token);
      owner.refreshed(this);
    }
  }

  private void ended(final int code, final String reason, final Optional<Throwable> cause) {
    if (over) {
      return;
    }
    end();
    socket.ifPresent(WebSocket::abort);
    LOG.debug("connection {}: ended with {} {}", id, code, reason);
    owner.lost(this, code, reason, cause);
  }

  private void subscribeTimedOut() {
    if (!over && !ready) {
      abort();
      owner.lost(this, OtherCloseCode.ABNORMAL.code(),
          "subscriptions not confirmed within " + settings.connectTimeout(), Optional.empty());
    }
  }

  /** Pings an idle connection; gives up on one silent for two intervals. */
  private void heartbeat() {
    if (over) {
      return;
    }
    final Duration idle = Duration.ofNanos(System.nanoTime() - lastInboundNanos);
    if (idle.compareTo(settings.pingInterval().multipliedBy(2)) >= 0) {
      abort();
      owner.lost(this, OtherCloseCode.ABNORMAL.code(), "no frame from the gateway for " + idle.toMillis()
          + " ms", Optional.empty());
    } else if (idle.compareTo(settings.pingInterval()) >= 0) {
      send(Frames.ping(refs.get()));
    }
  }

  /** Sends a request built for a fresh ref (a broadcast channel's); returns the ref. */
  @Override
  public String request(final java.util.function.Function<String, String> frame) {
    final String ref = refs.get();
    send(frame.apply(ref));
    return ref;
  }

  private void send(final String text) {
    socket.ifPresent(ws -> sends = sends.handle((r, e) -> null)
        .thenCompose(x -> ws.sendText(text, true))
        .whenComplete((r, e) -> {
          if (e != null) {
            LOG.debug("connection {}: send failed: {}", id, e.toString());
          }
        }));
  }

  private void end() {
    over = true;
    subscribeTimer.ifPresent(t -> t.cancel(false));
    heartbeat.ifPresent(t -> t.cancel(false));
  }

  @Override
  public String toString() {
    return "Connection[" + id + "]";
  }
}
