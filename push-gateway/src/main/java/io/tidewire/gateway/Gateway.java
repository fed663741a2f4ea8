package io.tidewire.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.server.HttpFront;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.session.Subscriber;
import io.tidewire.gateway.tail.EventRouter;
import io.tidewire.gateway.tail.TopicTail;
import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push gateway process (the Node role): wires the live tails, the hub and the HTTP/WebSocket
 * server, and owns their lifecycle.
 *
 * <p>{@link #start()} makes sure the event topics exist, starts one live tail per topic (user
 * events, feed events) at the topics' end, then binds the port. {@link #close()} closes every
 * session with {@code 1001 going away}, stops the tails and the server; it is idempotent and
 * leaves no thread of the gateway running (all are daemon threads anyway).
 *
 * <p>Thread-safe: the lifecycle methods are synchronized.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
  private static final Duration DRAIN_ON_CLOSE = Duration.ofSeconds(2);

  private enum State { NEW, RUNNING, CLOSED }

  private final GatewayConfig config;
  private final MeterRegistry registry;
  private final StaticContent staticContent;
  private final GatewayMetrics metrics;

  // Written under this object's lock; volatile because health checks read them from HTTP threads.
  private State state = State.NEW;
  private ScheduledExecutorService timer;
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
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.staticContent = Objects.requireNonNull(staticContent, "staticContent");
    this.metrics = new GatewayMetrics(registry);
  }

  /**
   * Ensures the topics, starts the tails, binds the port.
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
      final Map<String, TopicDescription> topics = ensureTopics();
      hub = new Hub((key, registration) -> userTail.atSeam(key, registration),
          (key, registration) -> feedTail.atSeam(key, registration));
      userTail = tail(topics.get(Topics.USER_EVENTS.name()), EventRouter.userEvents(hub, metrics));
      feedTail = tail(topics.get(Topics.FEED_EVENTS.name()), EventRouter.feedEvents(hub, metrics));
      userTail.start();
      feedTail.start();
      final SessionContext context = new SessionContext(hub,
          new JwtVerifier(config.jwtSecretBytes(), Clock.systemUTC(), config.jwtClockSkew()),
          metrics, timer, Clock.systemUTC(), config.maxFrameBytes(), config.sendQueueMessages(),
          config.sendQueueBytes(), CLOSE_GRACE);
      front = HttpFront.start(config.host(), config.port(), context, staticContent, registry,
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

  /** Whether the server runs and both tails are alive. */
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

  private Map<String, TopicDescription> ensureTopics() {
    final List<String> names = List.of(Topics.USER_EVENTS.name(), Topics.FEED_EVENTS.name());
    final Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidewire-gateway-admin");
    try (Admin admin = Admin.create(props)) {
      TopicProvisioner.ensure(admin, names, config.topicPartitions(),
          config.topicReplicationFactor(), Map.of());
      return admin.describeTopics(names).allTopicNames()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException("interrupted while describing " + names, e);
    } catch (ExecutionException | TimeoutException | IllegalStateException e) {
      throw new GatewayException("cannot prepare topics " + names + ": " + e.getMessage(), e);
    }
  }

  private TopicTail tail(final TopicDescription topic, final TopicTail.RecordHandler router) {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tidewire-gateway-tail-" + topic.name());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    final KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    return new TopicTail(topic.name(), topic.topicId(), topic.partitions().size(), consumer, router,
        metrics::recordSkipped);
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
