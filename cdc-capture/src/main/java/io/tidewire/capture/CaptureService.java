package io.tidewire.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.schemas.TopicProvisioner;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture process: a Debezium embedded engine (PostgreSQL, pgoutput) whose change events go
 * to Kafka through {@link KafkaChangeSink}, with offsets in a Kafka topic.
 *
 * <p>Lifecycle: construct, {@link #start()} once, optionally {@link #awaitStreaming(Duration)},
 * then {@link #close()}. {@code start()} checks the database (reachable, {@code wal_level=logical},
 * captured tables exist), creates the change and heartbeat topics if missing, and runs the engine
 * on its own daemon thread. If the engine stops on its own (an unacknowledged record, a database
 * error Debezium does not retry), {@link #failure()} holds the reason and the
 * {@linkplain #onFailure(Consumer) failure listeners} are called once, so the launcher can exit
 * non-zero. {@code close()} stops the engine (committing the offsets of acknowledged records),
 * then closes the producer; it is idempotent and bounded by
 * {@link CaptureConfig#shutdownTimeout()}.
 *
 * <p>Guarantee: at-least-once. A record's offset is committed only after Kafka acknowledged it,
 * so after a crash the records since the last commit are sent again, with the same
 * {@code source.lsn}.
 *
 * <p>Thread-safe: {@code start} and {@code close} are serialised; the queries may be called from
 * any thread at any time.
 */
public final class CaptureService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CaptureService.class);
  private static final long READINESS_RECHECK_MS = 20;

  private enum Phase { NEW, RUNNING, CLOSED }

  private final CaptureConfig config;
  private final MeterRegistry registry;
  private final StreamingProbe probe;
  private final Counter engineErrors;
  private final Object lifecycle = new Object();
  /** Notified when the engine stops, so that waiters re-check without polling latency. */
  private final Object signal = new Object();
  private final CountDownLatch engineStopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Consumer<Throwable>> failureListeners = new ArrayList<>();
  private boolean failureListenersCalled;

  private volatile Phase phase = Phase.NEW;
  private volatile boolean closeRequested;
  private DebeziumEngine<ChangeEvent<String, String>> engine;
  private Producer<byte[], byte[]> producer;
  private ExecutorService engineExecutor;
  private volatile Thread engineThread;
  private Gauge streamingGauge;

  /**
   * @param config validated configuration
   * @param registry where the capture's metrics go
   */
  public CaptureService(final CaptureConfig config, final MeterRegistry registry) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.probe = new StreamingProbe(config.topicPrefix());
    this.engineErrors = errorCounter(registry, "engine");
  }

  /**
   * Checks the database, creates missing topics and starts the engine. Returns once the engine
   * runs; the snapshot and streaming follow asynchronously (see {@link #awaitStreaming(Duration)}).
   *
   * @throws IllegalStateException if called twice or after {@link #close()}
   * @throws CaptureException if the database or Kafka is not usable; nothing is left running
   */
  public void start() {
    synchronized (lifecycle) {
      if (phase != Phase.NEW) {
        throw new IllegalStateException("capture " + config.name() + " was already started or closed");
      }
      LOG.info("Starting capture {}", config);
      try {
        checkDatabase();
        provisionTopics();
        producer = new KafkaProducer<>(CaptureProperties.producer(config));
        engine = DebeziumEngine.create(Json.class)
            .using(CaptureProperties.debezium(config))
            .notifying(new KafkaChangeSink(producer, registry, config.topicPrefix()))
            .using(this::engineCompleted)
            .using(new LoggingConnectorCallback(config.name()))
            .build();
        engineExecutor = Executors.newSingleThreadExecutor(runnable -> {
          final Thread thread = new Thread(runnable, "tidewire-capture-engine-" + config.name());
          // close() bounds the shutdown; a wedged engine must not keep the JVM alive
          thread.setDaemon(true);
          return thread;
        });
        engineExecutor.execute(this::runEngine);
        streamingGauge = Gauge.builder("tidewire.capture.streaming", this, s -> s.isStreaming() ? 1 : 0)
            .description("1 while the capture streams changes from the replication slot").register(registry);
        phase = Phase.RUNNING;
      } catch (RuntimeException e) {
        phase = Phase.CLOSED;
        releaseAfterFailedStart();
        throw e instanceof CaptureException ce ? ce : new CaptureException("cannot start capture " + config.name()
            + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Waits until the initial snapshot (if any) is done and the connector streams from the
   * replication slot: from then on every committed change of a captured table will be delivered.
   *
   * @param timeout how long to wait
   * @return true when streaming, false if the timeout passed first
   * @throws CaptureException if the engine failed or stopped before streaming
   * @throws IllegalStateException if the service was not started or is closed
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitStreaming(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (signal) {
      while (true) {
        final Throwable failed = failure.get();
        if (failed != null) {
          throw new CaptureException("capture " + config.name() + " failed before streaming: " + failed.getMessage(), failed);
        }
        if (phase != Phase.RUNNING) {
          throw new IllegalStateException("capture " + config.name() + " is " + phase.name().toLowerCase());
        }
        if (engineStopped.getCount() == 0) {
          throw new CaptureException("capture engine " + config.name() + " stopped before streaming");
        }
        if (probe.isStreaming()) {
          return true;
        }
        final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMs <= 0) {
          return false;
        }
        // Debezium offers no streaming-started callback; its metrics are re-read, and an engine
        // stop wakes this wait at once.
        signal.wait(Math.min(leftMs, READINESS_RECHECK_MS));
      }
    }
  }

  /** True while the connector streams changes (after any snapshot); false before start, after close or failure. */
  public boolean isStreaming() {
    return phase == Phase.RUNNING && failure.get() == null && engineStopped.getCount() > 0 && probe.isStreaming();
  }

  /** True from {@link #start()} until {@link #close()}, unless the engine failed or stopped. */
  public boolean isHealthy() {
    return phase == Phase.RUNNING && failure.get() == null && engineStopped.getCount() > 0;
  }

  /** Why the engine stopped on its own, if it did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /**
   * Registers a listener called once, on the engine's thread after it stopped, if the engine
   * fails; called at once if it already has. The listener may call {@link #close()}.
   *
   * @param listener receives the failure
   */
  public void onFailure(final Consumer<Throwable> listener) {
    Objects.requireNonNull(listener, "listener");
    final Throwable already;
    synchronized (failureListeners) {
      if (!failureListenersCalled) {
        failureListeners.add(listener);
        return;
      }
      already = failure.get();
    }
    if (already != null) {
      listener.accept(already);
    }
  }

  /** The configuration this service runs with. */
  public CaptureConfig config() {
    return config;
  }

  /**
   * Stops the engine gracefully (the offsets of acknowledged records are committed, the slot's
   * position is confirmed to PostgreSQL), then closes the producer. Idempotent; returns within
   * about {@link CaptureConfig#shutdownTimeout()}, logging what did not stop in time. Leaves no
   * non-daemon thread of its own behind.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (phase == Phase.CLOSED) {
        return;
      }
      phase = Phase.CLOSED;
      closeRequested = true;
      final long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
      LOG.info("Stopping capture {}", config.name());
      if (engine != null) {
        stopEngine(deadline);
      }
      if (engineExecutor != null) {
        if (Thread.currentThread() == engineThread) {
          // a failure listener closing us: the engine is done; do not interrupt ourselves
          engineExecutor.shutdown();
        } else {
          engineExecutor.shutdownNow();
          awaitQuietly(() -> engineExecutor.awaitTermination(remainingMs(deadline), TimeUnit.MILLISECONDS));
        }
      }
      if (producer != null) {
        producer.close(Duration.ofMillis(Math.max(0, remainingMs(deadline))));
      }
      if (streamingGauge != null) {
        registry.remove(streamingGauge);
      }
      synchronized (signal) {
        signal.notifyAll();
      }
      LOG.info("Stopped capture {}", config.name());
    }
  }

  static Counter errorCounter(final MeterRegistry registry, final String stage) {
    return Counter.builder("tidewire.capture.errors").description("Capture failures").tag("stage", stage)
        .register(registry);
  }

  private void runEngine() {
    engineThread = Thread.currentThread();
    try {
      engine.run();
    } catch (Throwable t) {
      engineFailed(t);
    } finally {
      engineStopped.countDown();
      synchronized (signal) {
        signal.notifyAll();
      }
      callFailureListeners();
    }
  }

  private void engineCompleted(final boolean success, final String message, final Throwable error) {
    if (error != null || !success) {
      engineFailed(error != null ? error : new CaptureException(message));
    } else if (!closeRequested) {
      engineFailed(new CaptureException("engine stopped although nobody closed it: " + message));
    } else {
      LOG.debug("Engine of capture {} completed: {}", config.name(), message);
    }
  }

  private void engineFailed(final Throwable error) {
    if (closeRequested) {
      // e.g. the sink interrupted while waiting for acks: a consequence of close(), not a failure
      LOG.info("Engine of capture {} ended during shutdown: {}", config.name(), error.toString());
      return;
    }
    if (failure.compareAndSet(null, error)) {
      engineErrors.increment();
      LOG.error("Capture {} failed; offsets stay at the last acknowledged batch", config.name(), error);
    }
  }

  private void callFailureListeners() {
    final List<Consumer<Throwable>> listeners;
    synchronized (failureListeners) {
      failureListenersCalled = true;
      listeners = List.copyOf(failureListeners);
      failureListeners.clear();
    }
    final Throwable failed = failure.get();
    if (failed == null) {
      return;
    }
    for (final Consumer<Throwable> listener : listeners) {
      try {
        listener.accept(failed);
      } catch (RuntimeException e) {
        LOG.warn("Failure listener of capture {} threw", config.name(), e);
      }
    }
  }

  /**
   * Debezium refuses {@code close()} while tasks start (it could leak connections) and runs the
   * shutdown on the calling thread, so the close is retried on a helper thread while this one
   * waits for the engine to stop, up to the deadline.
   */
  private void stopEngine(final long deadline) {
    final Thread stopper = new Thread(() -> {
      while (engineStopped.getCount() > 0 && remainingMs(deadline) > 0) {
        try {
          engine.close();
          return;
        } catch (IllegalStateException e) {
          // starting tasks (retry), or already stopping/stopped (the wait ends it)
          LOG.debug("Engine of capture {} not closable yet: {}", config.name(), e.getMessage());
        } catch (IOException e) {
          LOG.warn("Closing the engine of capture {} failed", config.name(), e);
          return;
        }
        awaitQuietly(() -> engineStopped.await(Math.min(50, Math.max(1, remainingMs(deadline))), TimeUnit.MILLISECONDS));
      }
    }, "tidewire-capture-stop-" + config.name());
    stopper.setDaemon(true);
    stopper.start();
    if (Thread.currentThread() == engineThread) {
      return; // a failure listener closing us: the engine has already stopped
    }
    final boolean stopped = awaitQuietly(() -> engineStopped.await(remainingMs(deadline), TimeUnit.MILLISECONDS));
    if (!stopped) {
      LOG.warn("Engine of capture {} did not stop within {}; its daemon threads are abandoned",
          config.name(), config.shutdownTimeout());
    }
  }

  private void checkDatabase() {
    final Properties props = new Properties();
    props.setProperty("user", config.pgUser());
    props.setProperty("password", config.pgPassword());
    props.setProperty("connectTimeout", "10");
    props.setProperty("ApplicationName", config.name() + "-check");
    try (Connection c = DriverManager.getConnection(config.jdbcUrl(), props)) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
        rs.next();
        if (!"logical".equals(rs.getString(1))) {
          throw new CaptureException("PostgreSQL at " + config.jdbcUrl() + " has wal_level=" + rs.getString(1)
              + "; logical decoding needs wal_level=logical");
        }
      }
      final List<String> missing = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT c.relreplident FROM pg_class c"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')")) {
        for (final String table : config.tables()) {
          final int dot = table.indexOf('.');
          ps.setString(1, table.substring(0, dot));
          ps.setString(2, table.substring(dot + 1));
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              missing.add(table);
            } else if (!"f".equals(rs.getString(1))) {
              LOG.warn("Table {} does not have REPLICA IDENTITY FULL: its updates and deletes will carry no"
                  + " complete 'before' row", table);
            }
          }
        }
      }
      if (!missing.isEmpty()) {
        throw new CaptureException("captured tables do not exist in " + config.jdbcUrl() + ": " + missing
            + " (check " + CaptureSettings.TABLES.name() + ")");
      }
    } catch (SQLException e) {
      throw new CaptureException("cannot check PostgreSQL at " + config.jdbcUrl() + " as " + config.pgUser()
          + ": " + e.getMessage(), e);
    }
  }

  private void provisionTopics() {
    final List<String> topics = new ArrayList<>(config.changeTopics());
    topics.add(config.heartbeatTopic());
    final Admin admin = Admin.create(CaptureProperties.admin(config));
    try {
      TopicProvisioner.ensure(admin, topics, config.kafka().topicPartitions(), config.kafka().replicationFactor(),
          Map.of());
    } catch (IllegalStateException e) {
      throw new CaptureException("cannot create the change topics on " + config.kafka().bootstrap() + ": "
          + e.getMessage(), e);
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private void releaseAfterFailedStart() {
    if (engineExecutor != null) {
      engineExecutor.shutdownNow();
    }
    if (producer != null) {
      producer.close(Duration.ZERO);
    }
  }

  private static long remainingMs(final long deadlineNanos) {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  /** Runs a bounded wait, keeping the interrupt flag if interrupted; false if it timed out or was interrupted. */
  private static boolean awaitQuietly(final InterruptibleWait wait) {
    try {
      return wait.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @FunctionalInterface
  private interface InterruptibleWait {
    boolean await() throws InterruptedException;
  }

  /** Logs the engine's milestones; the connector's own progress is in Debezium's log. */
  private static final class LoggingConnectorCallback implements DebeziumEngine.ConnectorCallback {
    private final String name;

    LoggingConnectorCallback(final String name) {
      this.name = name;
    }

    @Override
    public void taskStarted() {
      LOG.info("Capture {}: connector task started (slot and publication ready)", name);
    }

    @Override
    public void pollingStarted() {
      LOG.info("Capture {}: polling for changes", name);
    }

    @Override
    public void taskStopped() {
      LOG.info("Capture {}: connector task stopped", name);
    }
  }
}
