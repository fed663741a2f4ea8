package io.tidewire.client;

import io.tidewire.client.Frames.Inbound;
import io.tidewire.protocol.ProtocolCodes;
import io.tidewire.protocol.ProtocolCodes.Advice;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's lifecycle across connections: the state machine of {@link ConnectionState}, one
 * {@link Connection} at a time, reconnects with {@link Backoff}, a fresh token per connection and
 * in-band token refreshes before expiry.
 *
 * <p>Reconnect policy: after a connection ends or fails to open, the advice of its close code or
 * HTTP status ({@link ProtocolCodes}) decides. {@code TERMINAL} closes the client.
 * {@code RENEW_TOKEN} (HTTP 401, 4001, 4002) reconnects at once with a new token, but only once
 * in a row: if that fails too, it backs off like {@code RETRY}. The backoff starts over once a
 * connection has stayed up for {@code stableAfter}.
 *
 * <p>Not thread-safe: every method runs on the client's serial executor; only {@link #state()}
 * may be read from any thread.
 */
final class Supervisor implements Connection.Owner {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  /** Refresh a token after this share of its lifetime. */
  static final double REFRESH_FRACTION = 0.8;
  /** Never refresh more often than this, whatever the token says. */
  static final Duration MIN_REFRESH_DELAY = Duration.ofSeconds(1);

  private final ClientSettings settings;
  private final SerialExecutor serial;
  private final Supplier<Optional<HttpClient>> http;
  private final Delivery delivery;
  private final BroadcastChannels channels;
  private final Backoff backoff;
  private final Consumer<CompletableFuture<Void>> onStopped;
  private final CompletableFuture<Void> firstConnected = new CompletableFuture<>();
  private volatile ConnectionState state = ConnectionState.IDLE;
  private Optional<Connection> current = Optional.empty();
  private Optional<ScheduledFuture<?>> retryTimer = Optional.empty();
  private Optional<ScheduledFuture<?>> stableTimer = Optional.empty();
  private Optional<ScheduledFuture<?>> refreshTimer = Optional.empty();
  /** Once stopped: completes when the last connection is closed. */
  private Optional<CompletableFuture<Void>> stopped = Optional.empty();
  private boolean renewedAtOnce;
  private int generation;
  private long lastRef;

  /**
   * @param http the HTTP client, empty once released
   * @param onStopped told once, when the supervisor stops for good, with a future that completes
   *     when the last connection is closed
   */
  Supervisor(final ClientSettings settings, final SerialExecutor serial,
      final Supplier<Optional<HttpClient>> http, final Delivery delivery, final BroadcastChannels channels,
      final Consumer<CompletableFuture<Void>> onStopped) {
    this.settings = settings;
    this.serial = serial;
    this.http = http;
    this.delivery = delivery;
    this.channels = channels;
    this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), settings.random());
    this.onStopped = onStopped;
  }

  /** The current state; any thread. */
  ConnectionState state() {
    return state;
  }

  /** Completes when first {@code CONNECTED}; fails if the client closes before. Any thread. */
  CompletableFuture<Void> firstConnected() {
    return firstConnected;
  }

  /** Leaves {@code IDLE}: opens the first connection. Does nothing in any other state. */
  void start() {
    if (state == ConnectionState.IDLE) {
      setState(ConnectionState.CONNECTING);
      attempt();
    }
  }

  /**
   * Stops for good on the application's request: closes the connection normally (1000).
   *
   * @return completes when the gateway answered the close (or after the close timeout); the same
   *     future on every call, also after a terminal stop
   */
  CompletableFuture<Void> close() {
    return stop("the client was closed");
  }

  // ---- opening connections ----

  private void attempt() {
    retryTimer = Optional.empty();
    if (state == ConnectionState.CLOSED) {
      return;
    }
    final int attempt = ++generation;
    token().whenComplete((value, error) -> serial.execute(() -> tokenReady(attempt, value, error)));
  }

  private void tokenReady(final int attempt, final String value, final Throwable error) {
    if (state == ConnectionState.CLOSED || attempt != generation) {
      return;
    }
    if (error != null) {
      delivery.error(ClientError.of(ClientError.Kind.TOKEN_FAILED,
          "the token supplier failed: " + unwrap(error), Optional.of(unwrap(error))));
      retry(Advice.RETRY);
      return;
    }
    final Optional<HttpClient> client = http.get();
    if (client.isEmpty()) {
      return;
    }
    final Connection connection = new Connection(attempt, Token.of(value, Instant.now()), this,
        serial, delivery, channels, settings, () -> Long.toString(++lastRef));
    current = Optional.of(connection);
    connection.open(client.get());
  }

  @Override
  public void openFailed(final Connection connection, final Throwable error) {
    if (!isCurrent(connection)) {
      return;
    }
    current = Optional.empty();
    final Throwable cause = unwrap(error);
    if (cause instanceof WebSocketHandshakeException handshake) {
      final int status = handshake.getResponse().statusCode();
      delivery.error(ClientError.connectFailed("the gateway refused the upgrade with HTTP " + status,
          OptionalInt.of(status), cause));
      proceed(ProtocolCodes.adviceForHttpStatus(status), "HTTP " + status + " at the upgrade");
    } else {
      delivery.error(ClientError.connectFailed("cannot connect to " + settings.endpoint() + ": " + cause,
          OptionalInt.empty(), cause));
      proceed(Advice.RETRY, cause.toString());
    }
  }

  @Override
  public void ready(final Connection connection) {
    if (!isCurrent(connection)) {
      return;
    }
    renewedAtOnce = false;
    setState(ConnectionState.CONNECTED);
    firstConnected.complete(null);
    stableTimer = serial.schedule(() -> {
      if (isCurrent(connection)) {
        backoff.reset();
      }
    }, settings.stableAfter());
    scheduleRefresh(connection);
    channels.attached(connection);
  }

  @Override
  public void lost(final Connection connection, final int closeCode, final String reason,
      final Optional<Throwable> cause) {
    if (!isCurrent(connection)) {
      return;
    }
    dropCurrent();
    delivery.error(ClientError.disconnected(closeCode,
        "connection closed with " + closeCode + (reason.isEmpty() ? "" : " (" + reason + ")"), cause));
    proceed(ProtocolCodes.adviceForClose(closeCode), "close code " + closeCode + " " + reason);
  }

  @Override
  public void subscribeRefused(final Connection connection, final Channel channel,
      final Inbound.ErrorFrame error) {
    if (!isCurrent(connection)) {
      return;
    }
    final String why = "subscribe to " + channel.name() + " refused: " + error.wireCode() + " "
        + error.message();
    if (error.advice() != Advice.TERMINAL) {
      connection.abort();
      dropCurrent();
    }
    proceed(error.advice(), why); // a terminal refusal closes the connection normally
  }

  /** Either closes for good or waits out the backoff (none for a first token renewal) and retries. */
  private void proceed(final Advice advice, final String why) {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    if (advice == Advice.TERMINAL) {
      LOG.warn("Tidewire client stops: {}", why);
      stop(why);
      return;
    }
    if (state == ConnectionState.CONNECTED) {
      setState(ConnectionState.RECONNECTING);
    }
    retry(advice);
  }

  private void retry(final Advice advice) {
    final Duration delay;
    if (advice == Advice.RENEW_TOKEN && !renewedAtOnce) {
      renewedAtOnce = true;
      delay = Duration.ZERO;
    } else {
      delay = backoff.next();
    }
    LOG.debug("reconnecting in {} ms (attempt {})", delay.toMillis(), backoff.attempt());
    retryTimer = serial.schedule(this::attempt, delay);
  }

  // ---- token refresh ----

  private void scheduleRefresh(final Connection connection) {
    cancel(refreshTimer);
    final Token token = connection.token();
    token.lifetime().ifPresent(lifetime -> {
      final Instant at = lifetime.refreshAt(token.obtainedAt(), REFRESH_FRACTION);
      refreshIn(connection, Duration.between(Instant.now(), at));
    });
  }

  private void refreshIn(final Connection connection, final Duration delay) {
    cancel(refreshTimer);
    final Duration atLeast = delay.compareTo(MIN_REFRESH_DELAY) < 0 ? MIN_REFRESH_DELAY : delay;
    refreshTimer = serial.schedule(() -> refresh(connection), atLeast);
  }

  /** If the refresh failed, tries again halfway to the current token's expiry (if still ahead). */
  private void refreshLater(final Connection connection) {
    connection.token().lifetime().ifPresent(lifetime -> {
      final Duration left = Duration.between(Instant.now(), lifetime.expiresAt());
      if (!left.isNegative() && !left.isZero()) {
        refreshIn(connection, left.dividedBy(2));
      }
    });
  }

  private void refresh(final Connection connection) {
    if (!isCurrent(connection)) {
      return;
    }
    token().whenComplete((value, error) -> serial.execute(() -> {
      if (!isCurrent(connection)) {
        return;
      }
      if (error != null) {
        delivery.error(ClientError.of(ClientError.Kind.TOKEN_FAILED,
            "the token supplier failed on refresh: " + unwrap(error), Optional.of(unwrap(error))));
        refreshLater(connection);
      } else if (value.equals(connection.token().value())) {
        LOG.debug("the token supplier returned the same token; refresh later");
        refreshLater(connection);
      } else {
        connection.refresh(Token.of(value, Instant.now()));
      }
    }));
  }

  @Override
  public void refreshed(final Connection connection) {
    if (isCurrent(connection)) {
      scheduleRefresh(connection);
    }
  }

  @Override
  public void refreshRefused(final Connection connection, final Inbound.ErrorFrame error) {
    if (isCurrent(connection) && error.advice() != Advice.TERMINAL) {
      refreshLater(connection);
    }
  }

  /** Asks the application's supplier, bounded by the connect timeout; never null or blank. */
  private CompletionStage<String> token() {
    try {
      // thenApply first: the timeout must not complete a future the application owns.
      return settings.tokens().get()
          .thenApply(value -> {
            if (value == null || value.isBlank()) {
              throw new TidewireClientException("the token supplier returned no token");
            }
            return value;
          })
          .toCompletableFuture()
          .orTimeout(settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- stopping ----

  private CompletableFuture<Void> stop(final String why) {
    if (stopped.isPresent()) {
      return stopped.get();
    }
    cancel(retryTimer);
    final CompletableFuture<Void> closed = current.map(Connection::close)
        .orElse(CompletableFuture.completedFuture(null));
    stopped = Optional.of(closed);
    dropCurrent();
    setState(ConnectionState.CLOSED);
    channels.closed();
    firstConnected.completeExceptionally(new TidewireClientException("closed before connecting: " + why));
    onStopped.accept(closed);
    return closed;
  }

  private void dropCurrent() {
    current = Optional.empty();
    channels.detached();
    cancel(stableTimer);
    cancel(refreshTimer);
  }

  private boolean isCurrent(final Connection connection) {
    return current.isPresent() && current.get() == connection && state != ConnectionState.CLOSED;
  }

  private void setState(final ConnectionState next) {
    if (state != next) {
      LOG.debug("state {} -> {}", state, next);
      state = next;
      delivery.state(next);
    }
  }

  private static void cancel(final Optional<ScheduledFuture<?>> timer) {
    timer.ifPresent(t -> t.cancel(false));
  }

  private static Throwable unwrap(final Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
