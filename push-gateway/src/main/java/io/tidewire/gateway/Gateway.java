package io.tidewire.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.gateway.auth.JwksConfig;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.broadcast.ChannelBus;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.replay.KafkaPartitionReader;
import io.tidewire.gateway.replay.ReplayPool;
import io.tidewire.gateway.server.HttpFront;
import io.tidewire.gateway.session.FanOut;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.Recovery;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.session.Subscriber;
import io.tidewire.gateway.state.ContentAccessView;
import io.tidewire.gateway.state.UserStateStore;
import io.tidewire.gateway.tail.EventRouter;
import io.tidewire.gateway.tail.TopicTail;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserState;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push gateway process (the Node role): wires the live tails, the hub, the replay pool, the
 * user state store and the HTTP/WebSocket server, and owns their lifecycle.
 *
 * <p>{@link #start()} makes sure the topics exist (the state topics compacted), starts reading the
 * state topic from its beginning, reads the content-access topic to its end (what {@code visible}
 * channel rules ask), starts the replay workers and one live tail per event topic
 * (user events, feed events) at the topics' end, starts broadcast and presence ({@link ChannelBus}:
 * it reads the presence topic up to its end first), then binds the port. Its Kafka clients come from
 * {@link GatewayKafka}; the hub is built on the tails (its dispatch seams) before they start, and
 * each tail is given its router at start. {@link #close()} closes
 * every session with {@code 1001 going away}, stops the server, the tails, the replays and the
 * store; it is idempotent and leaves no thread of the gateway running (all are daemon threads
 * anyway).
 *
 * <p>Thread-safe: the lifecycle methods are synchronized.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final Duration DRAIN_ON_CLOSE = Duration.ofSeconds(2);
  private static final Duration REPLAY_POLL = Duration.ofMillis(200);
  private static final Duration REPLAY_API_TIMEOUT = Duration.ofSeconds(10);

  private enum State { NEW, RUNNING, CLOSED }

  private final GatewayConfig config;
  private final MeterRegistry registry;
  private final StaticContent staticContent;
  private final List<HttpRoute> routes;
  private final GatewayMetrics metrics;

  // Written under this object's lock; volatile because health checks read them from HTTP threads.
  private State state = State.NEW;
  private ScheduledExecutorService timer;
  private GatewayKafka kafka;
  private volatile UserStateStore stateStore;
  private volatile ContentAccessView contentAccess;
  private volatile ReplayPool replays;
  private volatile TopicTail userTail;
  private volatile TopicTail feedTail;
  private volatile TopicTail publicTail;
  private volatile Hub hub;
  private FanOut fanOut;
  private volatile HttpFront front;
  private volatile TopicWatch watch;
  private volatile ChannelBus channels;

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
      final GatewayKafka clients = new GatewayKafka(config);
      kafka = clients;
      final Map<String, TopicDescription> topics = clients.ensureTopics();
      final TopicDescription stateTopic = topics.get(Topics.USER_STATE.name());
      stateStore = new UserStateStore(stateTopic.topicId(), stateTopic.partitions().size(),
          clients.stateConsumer(), () -> clients.endOffsets(stateTopic), config.recoveryTimeout(),
          System::nanoTime, metrics);
      stateStore.start();
      final TopicDescription accessTopic = topics.get(Topics.CONTENT_ACCESS.name());
      final ContentAccessView items = new ContentAccessView(accessTopic.topicId(), accessTopic.partitions().size(),
          clients.contentAccessConsumer(), () -> clients.endOffsets(accessTopic), config.recoveryTimeout(),
          System::nanoTime, metrics);
      contentAccess = items;
      items.start();
      // visible channels are decided by the view: complete before the port opens
      items.awaitCaughtUp();
      final CursorCodec cursors = new CursorCodec(config.cursorKeyBytes(), metrics::cursorTampered);
      replays = new ReplayPool(config.replayWorkers(), config.replayMaxPending(), config.replayMaxPerUser(),
          () -> new KafkaPartitionReader(clients.replayConsumer(), REPLAY_POLL, REPLAY_API_TIMEOUT), metrics,
          cursors);
      replays.start();
      userTail = tail(clients, topics.get(Topics.USER_EVENTS.name()));
      feedTail = tail(clients, topics.get(Topics.FEED_EVENTS.name()));
      publicTail = tail(clients, topics.get(Topics.PUBLIC_CHANGES.name()));
      fanOut = FanOut.onThreads(config.fanoutThreads());
      hub = new Hub(userTail, feedTail, Optional.of(publicTail), fanOut);
      userTail.start(following(userTail, EventRouter.userEvents(hub, metrics, cursors)));
      feedTail.start(following(feedTail, EventRouter.feedEvents(hub, metrics, cursors)));
      publicTail.start(following(publicTail, EventRouter.publicChanges(hub, metrics, cursors)));
      for (final TopicTail t : List.of(userTail, feedTail, publicTail)) {
        metrics.tailPartitions(t.topic(), t.partitions());
        metrics.tailLag(t.topic(), t::lag);
      }
      final TopicWatch topicWatch = new TopicWatch(
          names -> clients.describeNow(names, config.metadataCheckInterval()), List.of(userTail, feedTail, publicTail));
      watch = topicWatch;
      timer.scheduleWithFixedDelay(topicWatch::check, config.metadataCheckInterval().toMillis(),
          config.metadataCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
      final ChannelConfig channelConfig = config.channels();
      final ChannelBus bus = new ChannelBus(new ChannelBus.Settings(Topics.BROADCAST.name(), Topics.PRESENCE.name(),
          channelConfig.rules().withItems(items), channelConfig.limits(), channelConfig.lease(), channelConfig.renew(),
          config.recoveryTimeout()), clients.channelProducer(), clients.broadcastConsumer(),
          clients.presenceConsumer(), metrics);
      channels = bus;
      bus.start();
      final SessionContext context = new SessionContext(hub, new Recoveries(replays, stateStore),
          new JwtVerifier(config.jwtHmacSecret(), config.jwtKeys().map(JwksConfig::source), config.jwtPolicy(),
              Clock.systemUTC(), config.jwtClockSkew(), registry),
          metrics, timer, Clock.systemUTC(), config.maxFrameBytes(), config.sendQueueMessages(),
          config.sendQueueBytes(), config.closeGrace(), config.recoveryTimeout(), config.frameLimits(),
          config.replayMaxPerSession(), config.replayMaxScanRecords(), cursors, bus);
      front = HttpFront.start(config.host(), config.port(), context, config.connections(), config.ops(),
          staticContent, routes, registry, this::checks, config.phoenix());
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

  /**
   * The port of {@code /health} and {@code /metrics}: the ops listener's (the actual one if the
   * configured port is 0), or {@link #port()} if they are served on the main port.
   *
   * @throws IllegalStateException if not running
   */
  public synchronized int opsPort() {
    if (state != State.RUNNING) {
      throw new IllegalStateException("gateway not running");
    }
    return front.opsPort();
  }

  /**
   * Whether the server runs, the tails, the replay workers and the state store are alive, and the
   * event topics are the ones the tails started on (not recreated).
   */
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
    checks.put(Topics.PUBLIC_CHANGES.name(), publicTail != null && publicTail.isAlive());
    checks.put(Topics.USER_STATE.name(), stateStore != null && stateStore.isAlive());
    checks.put(Topics.CONTENT_ACCESS.name(), contentAccess != null && contentAccess.isAlive());
    checks.put("replay", replays != null && replays.isAlive());
    checks.put("channels", channels != null && channels.isAlive());
    final TopicWatch topicWatch = watch;
    checks.put("topic-metadata", topicWatch != null && topicWatch.problem().isEmpty());
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
    closeQuietly(channels); // after the sessions: their presences leave, then the lease ends
    closeQuietly(userTail);
    closeQuietly(feedTail);
    closeQuietly(publicTail);
    closeQuietly(fanOut); // after the tails: none delivers any more
    closeQuietly(replays);
    closeQuietly(stateStore);
    closeQuietly(contentAccess);
    closeQuietly(kafka);
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

  /** {@code router}, plus what the gateway does when {@code tail} follows added partitions. */
  private TopicTail.RecordHandler following(final TopicTail tail, final TopicTail.RecordHandler router) {
    return new TopicTail.RecordHandler() {
      @Override
      public void handle(final ConsumerRecord<byte[], byte[]> record, final Supplier<Cursor> position) {
        router.handle(record, position);
      }

      @Override
      public void polled() {
        router.polled();
      }

      @Override
      public void partitionsAdded(final int before, final int after) {
        partitionsAddedTo(tail.topic(), before, after);
      }
    };
  }

  /**
   * Partitions were added and the tail reads them: every session is closed with {@code 1001} so
   * that its client reconnects and resumes, and every new subscription's position names the new
   * partitions. A user whose partition is unchanged resumes as before; a user now hashed to an
   * added partition, and every feed cursor, name fewer partitions than the channel has now: the
   * resume replays the cursor's partitions from the cursor and the added ones from their
   * beginning ({@link io.tidewire.gateway.recovery.ResumePlan}), so events written to the new
   * partitions before the tail noticed them are delivered too, with {@code recovered:true}.
   */
  private void partitionsAddedTo(final String topic, final int before, final int after) {
    metrics.partitionsChanged(topic, after);
    final Hub sessions = hub;
    final List<Subscriber> open = sessions == null ? List.of() : sessions.sessions();
    LOG.warn("Partitions of {} increased from {} to {}: closing {} sessions with 1001 so they resume", topic,
        before, after, open.size());
    for (final Subscriber session : open) {
      session.goAway();
    }
  }

  /** A live tail of an event topic, from its end; it gets its handler when started. */
  private TopicTail tail(final GatewayKafka clients, final TopicDescription topic) {
    return new TopicTail(topic.name(), topic.topicId(), topic.partitions().size(),
        clients.tailConsumer(topic.name()), TopicTail.Start.LATEST, metrics::recordSkipped);
  }

  /** The sessions' {@link Recovery}: replays from the pool, snapshots from the state store. */
  private record Recoveries(ReplayPool replays, UserStateStore states) implements Recovery {

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
