package io.tidewire.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.replay.KafkaPartitionReader;
import io.tidewire.gateway.replay.ReplayPool;
import io.tidewire.gateway.server.HttpFront;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.Recovery;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.session.Subscriber;
import io.tidewire.gateway.session.Subscription;
import io.tidewire.gateway.state.UserStateStore;
import io.tidewire.gateway.tail.EventRouter;
import io.tidewire.gateway.tail.TopicTail;
import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserState;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push gateway process (the Node role): wires the live tails, the hub, the replay pool, the
 * user state store and the HTTP/WebSocket server, and owns their lifecycle.
 *
 * <p>{@link #start()} makes sure the topics exist (the state topic compacted), starts reading the
 * state topic from its beginning, starts the replay workers and one live tail per event topic
 * (user events, feed events) at the topics' end, then binds the port. {@link #close()} closes
 * every session with {@code 1001 going away}, stops the server, the tails, the replays and the
 * store; it is idempotent and leaves no thread of the gateway running (all are daemon threads
 * anyway).
 *
 * <p>Thread-safe: the lifecycle methods are synchronized.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DRAIN_ON_CLOSE = Duration.ofSeconds(2);
  private static final Duration REPLAY_POLL = Duration.ofMillis(200);
  private static final Duration REPLAY_API_TIMEOUT = Duration.ofSeconds(10);
  /** Bounds what one replay worker's consumer prefetches. */
  private static final int REPLAY_FETCH_MAX_BYTES = 8 * 1024 * 1024;
  private static final int REPLAY_FETCH_MAX_WAIT_MS = 5;

  private enum State { NEW, RUNNING, CLOSED }

  private final GatewayConfig config;
  private final MeterRegistry registry;
  private final StaticContent staticContent;
  private final List<HttpRoute> routes;
  private final GatewayMetrics metrics;
  private final AtomicInteger replayClients = new AtomicInteger();

  // Written under this object's lock; volatile because health checks read them from HTTP threads.
  private State state = State.NEW;
  private ScheduledExecutorService timer;
  private Admin admin;
  private volatile UserStateStore stateStore;
  private volatile ReplayPool replays;
  private volatile TopicTail userTail;
  private volatile TopicTail feedTail;
  private volatile Hub hub;
  private volatile HttpFront front;

  /** A gateway that serves static files from {@link GatewayConfig#staticDir()}, if set. */
  public Gateway(final GatewayConfig config, final MeterRegistry registry) {
    this(config, registry, config.staticDir().map(StaticContent::directory).orElse(StaticContent.none()));
  }

  /**
   * A gateway that serves {@code staticContent} at {@code /} (e.g. the demo page from the
   * launcher's classpath), regardless of {@link GatewayConfig#staticDir()}.
   */
  public Gateway(final GatewayConfig config, final MeterRegistry registry,
      final StaticContent staticContent) {
    this(config, registry, staticContent, List.of());
  }

  /**
   * A gateway that also serves {@code routes} on its port (e.g. the demo's endpoints, which exist
   * only where the launcher adds them).
   */
  public Gateway(final GatewayConfig config, final MeterRegistry registry,
      final StaticContent staticContent, final List<HttpRoute> routes) {
    this.routes = List.copyOf(routes);
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.staticContent = Objects.requireNonNull(staticContent, "staticContent");
    this.metrics = new GatewayMetrics(registry);
  }

  /**
   * Ensures the topics, starts the state store, the replay workers and the tails, binds the port.
   *
   * @throws GatewayException if Kafka cannot be reached or the port not bound; everything started
   *     so far is stopped again
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (state != State.NEW) {
      throw new IllegalStateException("gateway already " + state.name().toLowerCase());
    }
    state = State.RUNNING;
    try {
      timer = newTimer();
      admin = Admin.create(adminProps());
      final Map<String, TopicDescription> topics = ensureTopics();
      final TopicDescription stateTopic = topics.get(Topics.USER_STATE.name());
      stateStore = new UserStateStore(stateTopic.topicId(), stateTopic.partitions().size(),
          consumer("tidewire-gateway-state", "earliest"), () -> stateEndOffsets(stateTopic),
          config.recoveryTimeout(), System::nanoTime, metrics);
      stateStore.start();
      replays = new ReplayPool(config.replayWorkers(), config.replayMaxPending(),
          () -> new KafkaPartitionReader(replayConsumer(), REPLAY_POLL, REPLAY_API_TIMEOUT),
          timer, config.recoveryTimeout(), metrics);
      replays.start();
      hub = new Hub((key, registration) -> userTail.atSeam(key, registration),
          (key, registration) -> feedTail.atSeam(key, registration));
      userTail = tail(topics.get(Topics.USER_EVENTS.name()), EventRouter.userEvents(hub, metrics));
      feedTail = tail(topics.get(Topics.FEED_EVENTS.name()), EventRouter.feedEvents(hub, metrics));
      userTail.start();
      feedTail.start();
      final SessionContext context = new SessionContext(hub, new Recoveries(replays, stateStore),
          new JwtVerifier(config.jwtSecretBytes(), Clock.systemUTC(), config.jwtClockSkew()),
          metrics, timer, Clock.systemUTC(), config.maxFrameBytes(), config.sendQueueMessages(),
          config.sendQueueBytes(), config.closeGrace());
      front = HttpFront.start(config.host(), config.port(), context, staticContent, routes, registry,
          this::checks);
      LOG.info("Gateway started: {}", config);
    } catch (RuntimeException e) {
      stopAll();
      state = State.CLOSED;
      throw e instanceof GatewayException ? e : new GatewayException("cannot start the gateway: " + e, e);
    }
  }

  /**
   * The bound port (the actual one if the configured port is 0).
   *
   * @throws IllegalStateException if not running
   */
  public synchronized int port() {
    if (state != State.RUNNING) {
      throw new IllegalStateException("gateway not running");
    }
    return front.port();
  }

  /** Whether the server runs and the tails, the replay workers and the state store are alive. */
  public synchronized boolean isHealthy() {
    return state == State.RUNNING && checks().values().stream().allMatch(Boolean::booleanValue);
  }

  /** Closes sessions (1001), stops the tails and the server. Idempotent. */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    stopAll();
    LOG.info("Gateway stopped");
  }

  private Map<String, Boolean> checks() {
    final Map<String, Boolean> checks = new LinkedHashMap<>();
    checks.put("http", front != null && front.isRunning());
    checks.put(Topics.USER_EVENTS.name(), userTail != null && userTail.isAlive());
    checks.put(Topics.FEED_EVENTS.name(), feedTail != null && feedTail.isAlive());
    checks.put(Topics.USER_STATE.name(), stateStore != null && stateStore.isAlive());
    checks.put("replay", replays != null && replays.isAlive());
    return checks;
  }

  private void stopAll() {
    if (hub != null) {
      for (final Subscriber session : hub.sessions()) {
        session.goAway();
      }
      try {
        if (!hub.awaitEmpty(DRAIN_ON_CLOSE)) {
          LOG.warn("{} sessions still open at shutdown", hub.size());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly(front);
    closeQuietly(userTail);
    closeQuietly(feedTail);
    closeQuietly(replays);
    closeQuietly(stateStore);
    closeQuietly(admin);
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private static void closeQuietly(final AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("error while stopping the gateway: {}", e.toString());
    }
  }

  private Properties adminProps() {
    final Properties props = new Properties();
    props.putAll(config.kafka().clientProperties());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidewire-gateway-admin");
    return props;
  }

  private Map<String, TopicDescription> ensureTopics() {
    final List<String> events = List.of(Topics.USER_EVENTS.name(), Topics.FEED_EVENTS.name());
    final List<String> names = List.of(Topics.USER_EVENTS.name(), Topics.FEED_EVENTS.name(),
        Topics.USER_STATE.name());
    try {
      TopicProvisioner.ensure(admin, events, config.kafka().topicPartitions(),
          config.kafka().replicationFactor(), Map.of());
      // The stream processor writes it; whoever starts first creates it, compacted.
      TopicProvisioner.ensure(admin, List.of(Topics.USER_STATE.name()), config.kafka().topicPartitions(),
          config.kafka().replicationFactor(),
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      return describe(names);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException("interrupted while describing " + names, e);
    } catch (ExecutionException | TimeoutException | IllegalStateException e) {
      throw new GatewayException("cannot prepare topics " + names + ": " + e.getMessage(), e);
    }
  }

  /** Describes the topics; a topic created a moment ago may take a while to be known everywhere. */
  private Map<String, TopicDescription> describe(final List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    final long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    long backoffMs = 50;
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 1_000);
      }
    }
  }

  /** The state topic's end offsets (committed records only), fetched now, asynchronously. */
  private CompletionStage<Map<Integer, Long>> stateEndOffsets(final TopicDescription state) {
    final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (final TopicPartitionInfo partition : state.partitions()) {
      latest.put(new TopicPartition(state.name(), partition.partition()), OffsetSpec.latest());
    }
    final ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)
        .timeoutMs((int) config.recoveryTimeout().toMillis());
    return admin.listOffsets(latest, options).all().toCompletionStage().thenApply(offsets -> {
      final Map<Integer, Long> ends = new HashMap<>();
      offsets.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
      return ends;
    });
  }

  private TopicTail tail(final TopicDescription topic, final TopicTail.RecordHandler router) {
    return new TopicTail(topic.name(), topic.topicId(), topic.partitions().size(),
        consumer("tidewire-gateway-tail-" + topic.name(), "latest"), router,
        TopicTail.Start.LATEST, metrics::recordSkipped);
  }

  private KafkaConsumer<byte[], byte[]> consumer(final String clientId, final String reset) {
    return consumer(clientId, reset, Map.of());
  }

  /**
   * A replay worker's consumer: a position deleted by retention fails rather than jumps; a short
   * fetch wait, because the consumer's prefetch for the previous job's position (often the log's
   * end) would otherwise hold up the next job's fetch for the whole wait.
   */
  private KafkaConsumer<byte[], byte[]> replayConsumer() {
    return consumer("tidewire-gateway-replay-" + replayClients.incrementAndGet(), "none", Map.of(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.replayBatchRecords()),
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(REPLAY_FETCH_MAX_BYTES),
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(REPLAY_FETCH_MAX_WAIT_MS)));
  }

  private KafkaConsumer<byte[], byte[]> consumer(final String clientId, final String reset,
      final Map<String, String> more) {
    final Properties props = new Properties();
    props.putAll(config.kafka().clientProperties());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100"); // live tails: latency vs. idle polls
    props.putAll(more);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The sessions' {@link Recovery}: replays from the pool, snapshots from the state store. */
  private record Recoveries(ReplayPool replays, UserStateStore states) implements Recovery {

    @Override
    public boolean replay(final Subscription subscription) {
      return replays.submit(subscription);
    }

    @Override
    public void snapshot(final String userId, final Consumer<Optional<UserState>> ready,
        final Consumer<String> failed) {
      states.snapshot(userId, ready, failed);
    }
  }

  private static ScheduledExecutorService newTimer() {
    final AtomicInteger count = new AtomicInteger();
    final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      final Thread thread = new Thread(runnable, "tidewire-gateway-timer-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return Executors.unconfigurableScheduledExecutorService(executor);
  }
}
