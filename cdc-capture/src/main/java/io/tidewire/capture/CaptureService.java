package io.tidewire.capture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture process: a Debezium embedded engine (PostgreSQL, pgoutput) whose change events go
 * to Kafka through {@link KafkaChangeSink}, with offsets in a Kafka topic.
 *
 * <p>Lifecycle: construct, {@link #start()} once, optionally {@link #awaitStreaming(Duration)},
 * then {@link #close()}. {@code start()} runs the {@link PostgresPreflight} (reachable,
 * {@code wal_level=logical}, captured tables exist), creates the {@link ChangeTopics} if missing,
 * and starts an {@link EngineRun} on its own daemon thread. If the engine stops on its own (an
 * unacknowledged record, a database error Debezium does not retry), {@link #failure()} holds the
 * reason and the {@linkplain #onFailure(Consumer) failure listeners} are called once, so the
 * launcher can exit non-zero. {@code close()} stops the engine (committing the offsets of
 * acknowledged records), then closes the producer; it is idempotent and bounded by
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
  /** Completes when the engine run stops: exceptionally if it failed. Exists before the run does. */
  private final CompletableFuture<Void> engineStopped = new CompletableFuture<>();

  private volatile Phase phase = Phase.NEW;
  // written under this object's lock
  private EngineRun run;
  private Producer<byte[], byte[]> producer;
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
  public synchronized void start() {
    if (phase != Phase.NEW) {
      throw new IllegalStateException("capture " + config.name() + " was already started or closed");
    }
    LOG.info("Starting capture {}", config);
    try {
      PostgresPreflight.check(config);
      ChangeTopics.provision(config);
      producer = new KafkaProducer<>(CaptureProperties.producer(config));
      run = EngineRun.start(config, new KafkaChangeSink(producer, registry, config.topicPrefix()), engineErrors);
      run.stopped().whenComplete((ignored, failure) -> {
        if (failure == null) {
          engineStopped.complete(null);
        } else {
          engineStopped.completeExceptionally(failure);
        }
      });
      streamingGauge = Gauge.builder("tidewire.capture.streaming", this, s -> s.isStreaming() ? 1 : 0)
          .description("1 while the capture streams changes from the replication slot").register(registry);
      phase = Phase.RUNNING;
    } catch (RuntimeException e) {
      phase = Phase.CLOSED;
      if (run != null) {
        run.stop(System.nanoTime());
      }
      if (producer != null) {
        producer.close(Duration.ZERO);
      }
      throw e instanceof CaptureException ce ? ce : new CaptureException("cannot start capture " + config.name()
          + ": " + e.getMessage(), e);
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
    while (true) {
      final Optional<Throwable> failed = failure();
      if (failed.isPresent()) {
        throw new CaptureException("capture " + config.name() + " failed before streaming: "
            + failed.get().getMessage(), failed.get());
      }
      if (phase != Phase.RUNNING) {
        throw new IllegalStateException("capture " + config.name() + " is " + phase.name().toLowerCase());
      }
      if (engineStopped.isDone()) {
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
      // stop ends this wait at once.
      try {
        engineStopped.get(Math.min(leftMs, READINESS_RECHECK_MS), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // checked at the top of the loop
      }
    }
  }

  /** True while the connector streams changes (after any snapshot); false before start, after close or failure. */
  public boolean isStreaming() {
    return isHealthy() && probe.isStreaming();
  }

  /** True from {@link #start()} until {@link #close()}, unless the engine failed or stopped. */
  public boolean isHealthy() {
    return phase == Phase.RUNNING && !engineStopped.isDone();
  }

  /** Why the engine stopped on its own, if it did. */
  public Optional<Throwable> failure() {
    return engineStopped.isCompletedExceptionally()
        ? Optional.of(engineStopped.handle((ignored, failure) -> failure).join()) : Optional.empty();
  }

  /**
   * Registers a listener called once, on the engine's thread after it stopped, if the engine
   * fails; called at once if it already has. The listener may call {@link #close()}.
   *
   * @param listener receives the failure
   */
  public void onFailure(final Consumer<Throwable> listener) {
    Objects.requireNonNull(listener, "listener");
    engineStopped.whenComplete((ignored, failure) -> {
      if (failure == null) {
        return;
      }
      try {
        listener.accept(failure);
      } catch (RuntimeException e) {
        LOG.warn("Failure listener of capture {} threw", config.name(), e);
      }
    });
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
  public synchronized void close() {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    final long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    LOG.info("Stopping capture {}", config.name());
    if (run != null) {
      run.stop(deadline);
    }
    if (producer != null) {
      producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    if (streamingGauge != null) {
      registry.remove(streamingGauge);
    }
    LOG.info("Stopped capture {}", config.name());
  }

  static Counter errorCounter(final MeterRegistry registry, final String stage) {
    return Counter.builder("tidewire.capture.errors").description("Capture failures").tag("stage", stage)
        .register(registry);
  }
}
