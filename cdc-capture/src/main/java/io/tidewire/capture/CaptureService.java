package io.tidewire.capture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.schemas.TooFewBrokersException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture process: a Debezium embedded engine (PostgreSQL, pgoutput) whose change events go
 * to Kafka through {@link KafkaChangeSink}, with offsets in a Kafka topic.
 *
 * <p>Lifecycle: construct, {@link #start()} once, optionally {@link #awaitStreaming(Duration)},
 * then {@link #close()}. {@code start()} runs the {@link PostgresPreflight} (reachable,
 * {@code wal_level=logical}, captured tables exist) and fails fast if it does not pass; then an
 * attempt creates the {@link ChangeTopics} if missing and starts an {@link EngineRun} on its own
 * daemon thread.
 *
 * <p>Faults: an attempt that fails (Kafka unreachable while the topics are checked) or an engine
 * that stops on its own (a change Kafka did not acknowledge within {@code delivery.timeout.ms},
 * metadata not available within {@code max.block.ms}, a database error Debezium does not retry)
 * is retried in-process after a backoff that starts at {@link CaptureConfig#restartBackoff()} and
 * doubles with each failure in a row up to {@link CaptureConfig#restartBackoffMax()}, for as long
 * as the service runs: a Kafka outage of any length ends in streaming again, from the last
 * committed offset. Meanwhile {@link #state()} is {@link State#RETRYING}, {@link #isHealthy()}
 * false, {@link #failure()} holds the reason and the {@linkplain #onFailure(Consumer) failure
 * listeners} hear each failure. The replication slot keeps the WAL since its confirmed position;
 * {@link #slotLagBytes()} says how much (bound it with PostgreSQL's {@code max_slot_wal_keep_size}).
 *
 * <p>Guarantee: at-least-once. A record's offset is committed only after Kafka acknowledged it,
 * so after a failure the records since the last commit are sent again, with the same
 * {@code source.lsn}. {@code close()} stops the engine (committing the offsets of acknowledged
 * records), then closes the producer; it is idempotent and bounded by
 * {@link CaptureConfig#shutdownTimeout()}.
 *
 * <p>Metrics: {@code tidewire.capture.restarts}, {@code tidewire.capture.slot.lag} (bytes),
 * {@code tidewire.capture.streaming}, {@code tidewire.capture.errors{stage=engine}} and those of
 * {@link KafkaChangeSink}.
 *
 * <p>Thread-safe: {@code start} and {@code close} are serialised; the queries may be called from
 * any thread at any time.
 */
public final class CaptureService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CaptureService.class);
  private static final long READINESS_RECHECK_MS = 20;
  /** How long a new run waits for the backend of a failed run to end once told to. */
  private static final Duration SLOT_RELEASE_WAIT = Duration.ofSeconds(10);

  /** Where the capture is in its lifecycle, as health reports it. */
  public enum State {
    /** Not started yet. */
    NEW,
    /** An engine runs but does not stream yet (starting, or snapshotting). */
    STARTING,
    /** An engine streams changes from the replication slot. */
    STREAMING,
    /** The last attempt failed; the next one is scheduled after a backoff. */
    RETRYING,
    /** Closed. */
    CLOSED;

    /** Lower-case name, as in health reports. */
    public String label() {
      return name().toLowerCase();
    }
  }

  private enum Phase { NEW, RUNNING, CLOSED }

  private final CaptureConfig config;
  private final MeterRegistry registry;
  private final StreamingProbe probe;
  private final Counter engineErrors;
  private final Counter restarts;
  private final Counter slotReleases;
  private final AtomicLong slotLag = new AtomicLong();
  private final List<Consumer<Throwable>> failureListeners = new CopyOnWriteArrayList<>();
  /** Restart delays and slot-lag reads; one daemon thread, so attempts never overlap. */
  private final ScheduledExecutorService scheduler;

  private volatile Phase phase = Phase.NEW;
  private volatile EngineRun run;
  private volatile Throwable lastFailure;
  private volatile boolean slotLagKnown;
  // written under this object's lock
  private Producer<byte[], byte[]> producer;
  private int failuresInARow;
  private long runStartedNanos;
  /** Whether an engine run has started once: after that, too few brokers is an outage, not a setting. */
  private volatile boolean ranOnce;
  /**
   * The backend that held the slot while one of this service's runs streamed (0: none seen). A
   * failed run can leave its streaming thread and replication connection behind; the next run would
   * then find the slot busy for as long as this JVM lives.
   */
  private volatile int ownSlotHolder;
  private List<Gauge> gauges = List.of();

  /**
   * @param config validated configuration
   * @param registry where the capture's metrics go
   */
  public CaptureService(final CaptureConfig config, final MeterRegistry registry) {
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.probe = new StreamingProbe(config.topicPrefix());
    this.engineErrors = errorCounter(registry, "engine");
    this.restarts = Counter.builder("tidewire.capture.restarts")
        .description("Engine restarts after a failure (Kafka or PostgreSQL unreachable)").register(registry);
    this.slotReleases = Counter.builder("tidewire.capture.slot.releases")
        .description("Replication connections of failed runs that still held the slot, ended before a restart")
        .register(registry);
    // every documented meter exists from here, at zero, so that a scrape and a rate see it before
    // the first change (or while Kafka is still down); close() removes the gauges
    this.gauges = List.of(
        Gauge.builder("tidewire.capture.streaming", this, s -> s.isStreaming() ? 1 : 0)
            .description("1 while the capture streams changes from the replication slot").register(registry),
        Gauge.builder("tidewire.capture.slot.lag", slotLag, AtomicLong::get).strongReference(true).baseUnit("bytes")
            .description("WAL the replication slot holds back: pg_current_wal_lsn() - confirmed_flush_lsn")
            .register(registry));
    KafkaChangeSink.registerAtZero(registry, config.tables());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      final Thread t = new Thread(r, "tidewire-capture-supervisor-" + config.name());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Checks the database, then creates missing topics and starts the engine, or schedules a retry
   * if Kafka is not reachable. The snapshot and streaming follow asynchronously (see
   * {@link #awaitStreaming(Duration)}).
   *
   * @throws IllegalStateException if called twice or after {@link #close()}
   * @throws CaptureException if the database cannot be captured (unreachable, not
   *     {@code wal_level=logical}, tables missing) or a Kafka client's settings are invalid; nothing
   *     is left running
   */
  public synchronized void start() {
    if (phase != Phase.NEW) {
      throw new IllegalStateException("capture " + config.name() + " was already started or closed");
    }
    LOG.info("Starting capture {}", config);
    try {
      PostgresPreflight.check(config);
    } catch (RuntimeException e) {
      phase = Phase.CLOSED;
      scheduler.shutdownNow();
      throw e instanceof CaptureException ce ? ce : new CaptureException("cannot start capture " + config.name()
          + ": " + e.getMessage(), e);
    }
    phase = Phase.RUNNING;
    scheduler.scheduleWithFixedDelay(this::readSlotLag, 0, config.slotLagInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    final Optional<ConfigException> invalid = attempt();
    if (invalid.isPresent()) {
      close();
      throw new CaptureException("cannot start capture " + config.name() + ": invalid Kafka client settings: "
          + invalid.get().getMessage(), invalid.get());
    }
  }

  /**
   * One attempt: topics, producer, engine. Runs on the caller of {@code start()} first, then on
   * the scheduler; the blocking Kafka calls happen outside the lock so that {@code close()} is not
   * held up by them.
   */
  private Optional<ConfigException> attempt() {
    if (phase != Phase.RUNNING) {
      return Optional.empty();
    }
    Producer<byte[], byte[]> fresh = null;
    try {
      ChangeTopics.provision(config);
      releaseLeftSlot();
      // a new producer per run: one whose sends expired may still hold the failed batches
      fresh = new KafkaProducer<>(CaptureProperties.producer(config));
      synchronized (this) {
        if (phase != Phase.RUNNING) {
          fresh.close(Duration.ZERO);
          return Optional.empty();
        }
        producer = fresh;
        runStartedNanos = System.nanoTime();
        ranOnce = true;
        final EngineRun started = EngineRun.start(config,
            new KafkaChangeSink(producer, registry, config.topicPrefix(), OwnerPartitioner.of(config)), engineErrors);
        run = started;
        lastFailure = null;
        started.stopped().whenComplete((ignored, failure) -> {
          if (failure != null) {
            runFailed(started, failure);
          }
        });
      }
    } catch (RuntimeException e) {
      if (fresh != null && producer != fresh) {
        fresh.close(Duration.ZERO);
      }
      final Optional<ConfigException> invalid = configError(e);
      if (invalid.isPresent() && !(ranOnce && invalid.get() instanceof TooFewBrokersException)) {
        // settings do not change between attempts: retrying would loop forever. Too few brokers
        // after a run has started is an outage instead (brokers come back one by one): retried
        return invalid;
      }
      failed(e);
    }
    return Optional.empty();
  }

  private static Optional<ConfigException> configError(final Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConfigException ce) {
        return Optional.of(ce);
      }
    }
    return Optional.empty();
  }

  private void runFailed(final EngineRun failedRun, final Throwable failure) {
    synchronized (this) {
      if (phase != Phase.RUNNING || run != failedRun) {
        return;
      }
      producer.close(Duration.ZERO);
      if (System.nanoTime() - runStartedNanos > config.restartBackoffMax().toNanos()) {
        // the run had been going well for a while: this is a new fault, start the backoff over
        failuresInARow = 0;
      }
    }
    failed(failure);
  }

  private void failed(final Throwable failure) {
    final Duration delay;
    synchronized (this) {
      if (phase != Phase.RUNNING) {
        return;
      }
      lastFailure = failure;
      delay = backoff(config.restartBackoff(), config.restartBackoffMax(), failuresInARow++);
    }
    LOG.warn("Capture {} failed; retrying in {} ms (offsets stay at the last acknowledged batch): {}",
        config.name(), delay.toMillis(), failure.toString());
    for (final Consumer<Throwable> listener : failureListeners) {
      try {
        listener.accept(failure);
      } catch (RuntimeException e) {
        LOG.warn("Failure listener of capture {} threw", config.name(), e);
      }
    }
    try {
      scheduler.schedule(() -> {
        restarts.increment();
        attempt();
      }, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** {@code first · 2^failuresBefore}, at most {@code max}. */
  static Duration backoff(final Duration first, final Duration max, final int failuresBefore) {
    final long factor = 1L << Math.min(failuresBefore, 30);
    final long millis = first.toMillis() > max.toMillis() / factor ? max.toMillis() : first.toMillis() * factor;
    return Duration.ofMillis(Math.min(millis, max.toMillis()));
  }

  private void readSlotLag() {
    try {
      final var lag = ReplicationSlot.lag(config);
      slotLagKnown = lag.isPresent();
      slotLag.set(lag.orElse(0));
    } catch (SQLException e) {
      slotLagKnown = false;
      LOG.debug("Cannot read the lag of slot {}: {}", config.slotName(), e.getMessage());
    }
    noteSlotHolder();
  }

  /**
   * Remembers the backend of this service's streaming run. The slot admits one streamer, so while
   * the same run streams before and after the read, the holder read in between is that run's.
   */
  private void noteSlotHolder() {
    final EngineRun current = run;
    if (!isStreaming()) {
      return;
    }
    try {
      final var holder = ReplicationSlot.holder(config);
      if (holder.isPresent() && isStreaming() && run == current) {
        ownSlotHolder = holder.getAsInt();
      }
    } catch (SQLException e) {
      LOG.debug("Cannot read the holder of slot {}: {}", config.slotName(), e.getMessage());
    }
  }

  /**
   * Before a new run: if the backend of an earlier run of this service still holds the slot, the
   * engine that failed left its replication connection behind (its streaming thread outlived the
   * engine): end that backend, and only that one, and wait until the slot is free. A slot held by
   * any other process is left alone; the new run then fails on it and is retried like any failure.
   */
  private void releaseLeftSlot() {
    try {
      releaseLeftSlot(ownSlotHolder);
    } catch (SQLException e) {
      // PostgreSQL unreachable: the run that follows fails on it and is retried
      LOG.debug("Cannot check the holder of slot {}: {}", config.slotName(), e.getMessage());
    }
  }

  private void releaseLeftSlot(final int leftover) throws SQLException {
    if (leftover == 0 || ReplicationSlot.holder(config).orElse(0) != leftover) {
      return;
    }
    if (ReplicationSlot.release(config, leftover)) {
      LOG.warn("Capture {}: slot {} was still held by the replication connection of a failed run "
          + "(backend {}); ended it", config.name(), config.slotName(), leftover);
      slotReleases.increment();
    }
    final long deadline = System.nanoTime() + SLOT_RELEASE_WAIT.toNanos();
    while (ReplicationSlot.holder(config).orElse(0) == leftover && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(READINESS_RECHECK_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    ownSlotHolder = 0;
  }

  /**
   * Waits until the initial snapshot (if any) is done and the connector streams from the
   * replication slot: from then on every committed change of a captured table will be delivered.
   * Engine failures meanwhile do not end the wait: the capture retries them.
   *
   * @param timeout how long to wait
   * @return true when streaming, false if the timeout passed first
   * @throws IllegalStateException if the service was not started or is closed
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitStreaming(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (phase != Phase.RUNNING) {
        throw new IllegalStateException("capture " + config.name() + " is " + phase.name().toLowerCase());
      }
      if (isStreaming()) {
        return true;
      }
      final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (leftMs <= 0) {
        return false;
      }
      // Debezium offers no streaming-started callback; its metrics are re-read
      Thread.sleep(Math.min(leftMs, READINESS_RECHECK_MS));
    }
  }

  /** The PostgreSQL backend this service's streaming run was last seen holding the slot with; 0 if none. */
  int ownSlotHolder() {
    return ownSlotHolder;
  }

  /** True while an engine streams changes (after any snapshot); false before start, after close, while retrying. */
  public boolean isStreaming() {
    return isHealthy() && probe.isStreaming();
  }

  /** True from {@link #start()} until {@link #close()} while an engine runs; false while retrying. */
  public boolean isHealthy() {
    final EngineRun current = run;
    return phase == Phase.RUNNING && current != null && !current.stopped().isDone();
  }

  /** Where the capture is: what {@code /health} reports. */
  public State state() {
    return switch (phase) {
      case NEW -> State.NEW;
      case CLOSED -> State.CLOSED;
      case RUNNING -> !isHealthy() ? State.RETRYING : probe.isStreaming() ? State.STREAMING : State.STARTING;
    };
  }

  /**
   * Bytes of WAL the replication slot holds back, as last read (every
   * {@link CaptureConfig#slotLagInterval()}); empty before the first read, if the slot does not exist or
   * PostgreSQL could not be asked.
   */
  public Optional<Long> slotLagBytes() {
    return slotLagKnown ? Optional.of(slotLag.get()) : Optional.empty();
  }

  /** Why the last attempt failed, while the capture is retrying it; empty once an engine runs again. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(lastFailure);
  }

  /**
   * Registers a listener called on each failure of an attempt or an engine run, before the retry is
   * scheduled; on the engine's or the scheduler's thread. The capture retries on its own; a listener
   * that wants a supervisor to restart the process instead may call {@link #close()} and exit.
   *
   * @param listener receives the failure
   */
  public void onFailure(final Consumer<Throwable> listener) {
    failureListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The configuration this service runs with. */
  public CaptureConfig config() {
    return config;
  }

  /**
   * Stops the engine gracefully (the offsets of acknowledged records are committed, the slot's
   * position is confirmed to PostgreSQL), then closes the producer and cancels any pending retry.
   * Idempotent; returns within about {@link CaptureConfig#shutdownTimeout()}, logging what did not
   * stop in time. Leaves no non-daemon thread of its own behind.
   */
  @Override
  public synchronized void close() {
    if (phase == Phase.CLOSED) {
      return;
    }
    final boolean started = phase == Phase.RUNNING;
    phase = Phase.CLOSED;
    scheduler.shutdownNow();
    if (!started) {
      return;
    }
    final long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    LOG.info("Stopping capture {}", config.name());
    final EngineRun current = run;
    if (current != null) {
      current.stop(deadline);
    }
    if (producer != null) {
      producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    gauges.forEach(registry::remove);
    LOG.info("Stopped capture {}", config.name());
  }

  static Counter errorCounter(final MeterRegistry registry, final String stage) {
    return Counter.builder("tidewire.capture.errors").description("Capture failures").tag("stage", stage)
        .register(registry);
  }
}
