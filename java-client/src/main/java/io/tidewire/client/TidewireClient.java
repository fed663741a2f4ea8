package io.tidewire.client;

import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Tidewire WebSocket protocol v1 that stays subscribed: it reconnects with
 * exponential backoff and full jitter, resumes every channel from the cursor of the last event
 * the application handled, drops duplicate events by id, and refreshes its token in-band before
 * it expires.
 *
 * <pre>{@code
 * TidewireClient client = TidewireClient.builder(URI.create("ws://localhost:8080/v1/realtime"))
 *     .token(() -> tokens.fetch())
 *     .subscribe(Channel.user())
 *     .subscribe(Channel.feed())
 *     .resumeFrom(Channel.USER, store.load())      // optional, a cursor saved earlier
 *     .onEvent(e -> { apply(e); store.save(e.cursor()); })
 *     .onSnapshot(s -> replaceState(s))
 *     .onStateChange(state -> log(state))
 *     .build();
 * client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
 * ...
 * client.close();
 * }</pre>
 *
 * <p>Guarantees: the gateway delivers at least once and replays from the cursor the client
 * sends; the client delivers each event id at most once per channel (among the last
 * {@code dedupCapacity} ids), so together the application sees each event once. An event counts
 * as handled when {@code onEvent} returns (or throws): only then does {@link #cursor(String)}
 * move past it.
 *
 * <p>Besides the event stream, {@link #channel(String)} hands out broadcast and presence channels
 * ({@link BroadcastChannel}: messages between clients, who is online), joined again after every
 * reconnect.
 *
 * <p>Threads: all listeners run on one thread at a time, in the order the frames arrived, never
 * concurrently; do not block in them (a slow listener makes the gateway cut the connection off as
 * a slow consumer; the client then resumes from its cursor). By default a client owns one daemon
 * scheduler thread and the daemon threads of its own {@link HttpClient}; {@link #close()} releases
 * them. Many clients can share a scheduler and an HTTP client instead (see the builder).
 *
 * <p>Thread-safe: every public method may be called from any thread, listeners included.
 */
public final class TidewireClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TidewireClient.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ClientSettings settings;
  private final SerialExecutor serial;
  private final Delivery delivery;
  private final Supervisor supervisor;
  private final BroadcastChannels channels;
  private final Optional<ScheduledThreadPoolExecutor> ownScheduler;
  private final Optional<ExecutorService> ownIo;
  private final AtomicReference<HttpClient> http;
  private final AtomicBoolean released = new AtomicBoolean();

  private TidewireClient(final ClientSettings settings) {
    this.settings = settings;
    final String name = "tidewire-client-" + INSTANCES.incrementAndGet();
    this.ownScheduler = settings.scheduler().isPresent() ? Optional.empty() : Optional.of(newScheduler(name));
    this.serial = new SerialExecutor(settings.scheduler().orElseGet(ownScheduler::get));
    this.ownIo = settings.httpClient().isPresent() ? Optional.empty()
        : Optional.of(Executors.newCachedThreadPool(daemon(name + "-io")));
    this.http = new AtomicReference<>(settings.httpClient()
        .orElseGet(() -> HttpClient.newBuilder().executor(ownIo.get()).build()));
    this.delivery = new Delivery(settings.listeners(), new RecentIds(settings.dedupCapacity()),
        new Cursors(settings.initialCursors()));
    this.channels = new BroadcastChannels(serial, delivery, settings.dedupCapacity(), settings.connectTimeout());
    this.supervisor = new Supervisor(settings, serial, () -> Optional.ofNullable(http.get()), delivery,
        channels, closed -> closed.whenComplete((r, e) -> release()));
  }

  /** Starts building a client for the gateway's WebSocket endpoint, e.g. {@code ws://host:8080/v1/realtime}. */
  public static Builder builder(final URI endpoint) {
    return new Builder(endpoint);
  }

  /**
   * Connects (once; later calls return the same outcome) and keeps reconnecting until closed.
   *
   * @return completes when the client is first {@link ConnectionState#CONNECTED} (every
   *     subscription confirmed); fails with {@link TidewireClientException} if the client closes
   *     before that (a terminal refusal, or {@link #close()}). Never completes while the gateway
   *     stays unreachable: bound the wait.
   */
  public CompletionStage<Void> connect() {
    if (!serial.execute(supervisor::start)) {
      return CompletableFuture.failedStage(new TidewireClientException("the client is closed"));
    }
    return supervisor.firstConnected().minimalCompletionStage();
  }

  /**
   * The broadcast and presence channel {@code name} (e.g. {@code "room:lobby"}), joined with the
   * default {@link ChannelOptions}; the same object on every call. See {@link BroadcastChannel}.
   *
   * @throws IllegalArgumentException if the name is blank, or the channel is in use with other options
   */
  public BroadcastChannel channel(final String name) {
    return channel(name, ChannelOptions.defaults());
  }

  /**
   * The broadcast and presence channel {@code name}, joined with {@code options}; the same object on
   * every call.
   *
   * @throws IllegalArgumentException if the name is blank, or the channel is in use with other options
   */
  public BroadcastChannel channel(final String name, final ChannelOptions options) {
    return channels.channel(name, Objects.requireNonNull(options, "options"));
  }

  /** The current state. */
  public ConnectionState state() {
    return supervisor.state();
  }

  /**
   * Where {@code channel} resumes from: the cursor of the last event (or snapshot) handled, or
   * the start the gateway named, or the one given to {@link Builder#resumeFrom}. Persist it to
   * resume across restarts of the application.
   */
  public Optional<String> cursor(final String channel) {
    return delivery.cursors().get(channel);
  }

  /** Every channel's cursor (channel name → cursor), a copy. */
  public Map<String, String> cursors() {
    return delivery.cursors().all();
  }

  /**
   * Closes for good: sends a normal close (1000), waits for the gateway's answer (at most the
   * close timeout), stops reconnecting, and releases the threads the client owns. The state
   * becomes {@link ConnectionState#CLOSED}. Idempotent. Called from a listener, it does not wait:
   * the connection and threads are released right after.
   */
  @Override
  public void close() {
    if (serial.inExecutor()) {
      supervisor.close();
      return;
    }
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    if (!serial.execute(() -> supervisor.close().whenComplete((r, e) -> closed.complete(null)))) {
      closed.complete(null);
    }
    final Duration wait = settings.closeTimeout().plusSeconds(1);
    try {
      closed.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("closing did not finish in {}: {}", wait, e.toString());
    }
    release();
    awaitTermination(wait);
  }

  /** Gives back what this client owns: its scheduler, its HTTP client and that client's threads. Idempotent. */
  private void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    final HttpClient client = http.getAndSet(null);
    if (settings.httpClient().isEmpty() && client != null) {
      shutdownNow(client);
    }
    ownScheduler.ifPresent(ScheduledThreadPoolExecutor::shutdown);
    ownIo.ifPresent(ExecutorService::shutdown);
  }

  private void awaitTermination(final Duration wait) {
    try {
      if (ownScheduler.isPresent()) {
        ownScheduler.get().awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (ownIo.isPresent()) {
        ownIo.get().awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops the HTTP client's selector thread at once on Java 21+ ({@code HttpClient.shutdownNow()});
   * on Java 17 there is no such method, and that daemon thread ends once the client is garbage.
   */
  private static void shutdownNow(final HttpClient client) {
    try {
      HttpClient.class.getMethod("shutdownNow").invoke(client);
    } catch (NoSuchMethodException e) {
      // Java 17: nothing to call.
    } catch (IllegalAccessException | InvocationTargetException e) {
      LOG.debug("cannot shut the HTTP client down: {}", e.toString());
    }
  }

  private static ScheduledThreadPoolExecutor newScheduler(final String name) {
    final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemon(name));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    return scheduler;
  }

  private static ThreadFactory daemon(final String name) {
    final AtomicInteger count = new AtomicInteger();
    return task -> {
      final int n = count.getAndIncrement();
      final Thread thread = new Thread(task, n == 0 ? name : name + "-" + n);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Builds a {@link TidewireClient}. A token supplier is required; everything else has a default.
   *
   * <p>Not thread-safe; use it from one thread.
   */
  public static final class Builder {

    private final URI endpoint;
    private Supplier<? extends CompletionStage<String>> tokens;
    private final List<Channel> channels = new ArrayList<>();
    private final Map<String, String> cursors = new HashMap<>();
    private Consumer<Event> onEvent = e -> { };
    private Consumer<Snapshot> onSnapshot = s -> { };
    private Consumer<Subscribed> onSubscribed = s -> { };
    private Consumer<ClientError> onError = e -> { };
    private Consumer<ConnectionState> onState = s -> { };
    private Duration backoffBase = Duration.ofMillis(500);
    private Duration backoffCap = Duration.ofSeconds(30);
    private RandomGenerator random = new Random();
    private Duration stableAfter = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration pingInterval = Duration.ofSeconds(20);
    private Duration closeTimeout = Duration.ofSeconds(2);
    private int dedupCapacity = 10_000;
    private Optional<HttpClient> httpClient = Optional.empty();
    private Optional<ScheduledExecutorService> scheduler = Optional.empty();

    private Builder(final URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Where tokens come from: called on the client's thread before every connection attempt and
     * before each in-band refresh, so it must not block for long (else use {@link #tokenAsync}).
     * It should return a currently valid token (a fresh one when the previous one is near expiry).
     */
    public Builder token(final Supplier<String> supplier) {
      Objects.requireNonNull(supplier, "supplier");
      this.tokens = () -> CompletableFuture.completedFuture(supplier.get());
      return this;
    }

    /** Like {@link #token(Supplier)}, for suppliers that fetch asynchronously (bounded by the connect timeout). */
    public Builder tokenAsync(final Supplier<? extends CompletionStage<String>> supplier) {
      this.tokens = Objects.requireNonNull(supplier, "supplier");
      return this;
    }

    /** Subscribes {@code channel} on every connection. Each channel name at most once. */
    public Builder subscribe(final Channel channel) {
      channels.add(Objects.requireNonNull(channel, "channel"));
      return this;
    }

    /** Resumes {@code channel} (subscribed with {@link #subscribe}) from a cursor saved earlier. */
    public Builder resumeFrom(final String channel, final String cursor) {
      cursors.put(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(cursor, "cursor"));
      return this;
    }

    /** Called once per event id (per channel); the cursor moves past the event when it returns. */
    public Builder onEvent(final Consumer<Event> listener) {
      this.onEvent = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Called with the channel's state when the gateway could not resume from the cursor. */
    public Builder onSnapshot(final Consumer<Snapshot> listener) {
      this.onSnapshot = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Called on every confirmed subscription (once per channel and connection). */
    public Builder onSubscribed(final Consumer<Subscribed> listener) {
      this.onSubscribed = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Called with every error report (most are handled by the client itself; see {@link ClientError}). */
    public Builder onError(final Consumer<ClientError> listener) {
      this.onError = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Called on every state change (see {@link ConnectionState} for the transitions). */
    public Builder onStateChange(final Consumer<ConnectionState> listener) {
      this.onState = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Reconnect delays: full jitter in {@code [0, min(cap, base * 2^attempt)]}. Default 500 ms, 30 s. */
    public Builder backoff(final Duration base, final Duration cap) {
      this.backoffBase = Objects.requireNonNull(base, "base");
      this.backoffCap = Objects.requireNonNull(cap, "cap");
      return this;
    }

    /** The jitter source (tests inject a seeded one). Default: a new {@link Random}. */
    public Builder random(final RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** How long a connection must stay up before the backoff starts over. Default 10 s. */
    public Builder stableAfter(final Duration stableAfter) {
      this.stableAfter = Objects.requireNonNull(stableAfter, "stableAfter");
      return this;
    }

    /** Limit for getting a token, opening a connection, and getting every subscription confirmed. Default 10 s. */
    public Builder connectTimeout(final Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * How often an idle connection is pinged ({@code ping} op); one silent for two intervals is
     * given up and reconnected. {@link Duration#ZERO} disables it. Default 20 s.
     */
    public Builder pingInterval(final Duration pingInterval) {
      this.pingInterval = Objects.requireNonNull(pingInterval, "pingInterval");
      return this;
    }

    /** How long {@link TidewireClient#close()} waits for the gateway to answer the close. Default 2 s. */
    public Builder closeTimeout(final Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /** How many recent event ids are remembered to drop duplicates. Default 10,000. */
    public Builder dedupCapacity(final int capacity) {
      this.dedupCapacity = capacity;
      return this;
    }

    /** Shares an HTTP client (e.g. among many clients); the client then neither owns nor closes it. */
    public Builder httpClient(final HttpClient client) {
      this.httpClient = Optional.of(client);
      return this;
    }

    /**
     * Shares a scheduler (e.g. among many clients) instead of a thread per client; the client
     * then does not shut it down. Its tasks must not be blocked for long by other work.
     */
    public Builder scheduler(final ScheduledExecutorService scheduler) {
      this.scheduler = Optional.of(scheduler);
      return this;
    }

    /**
     * Builds the client (not connected yet: call {@link TidewireClient#connect()}).
     *
     * @throws IllegalArgumentException if the settings are invalid (no token supplier, a channel
     *     twice, a cursor for a channel not subscribed, a non-positive duration, …)
     */
    public TidewireClient build() {
      if (tokens == null) {
        throw new IllegalArgumentException("a token supplier is required: token(...) or tokenAsync(...)");
      }
      return new TidewireClient(new ClientSettings(endpoint, tokens, channels, cursors,
          new Listeners(onEvent, onSnapshot, onSubscribed, onError, onState), backoffBase, backoffCap,
          random, stableAfter, connectTimeout, pingInterval, closeTimeout, dedupCapacity, httpClient,
          scheduler));
    }
  }
}
