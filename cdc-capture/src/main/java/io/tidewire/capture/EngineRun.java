package io.tidewire.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the Debezium embedded engine, on its own daemon thread, delivering to a
 * {@link KafkaChangeSink}. {@link #stopped()} completes when the engine has stopped: normally
 * after {@link #stop}, exceptionally with the reason if it stopped on its own (an unacknowledged
 * record, a database error Debezium does not retry). Its dependents run on the engine's thread.
 *
 * <p>Thread-safe.
 */
final class EngineRun {

  private static final Logger LOG = LoggerFactory.getLogger(EngineRun.class);
  private static final long CLOSE_RETRY_MS = 50;

  private final String name;
  private final DebeziumEngine<ChangeEvent<String, String>> engine;
  private final Outcome outcome;
  private final Counter errors;
  private final Thread thread;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean stopRequested;

  private EngineRun(final String name, final DebeziumEngine<ChangeEvent<String, String>> engine,
      final Outcome outcome, final Counter errors) {
    this.name = name;
    this.engine = engine;
    this.outcome = outcome;
    this.errors = errors;
    this.thread = new Thread(this::run, "tidewire-capture-engine-" + name);
    // stop() bounds the shutdown; a wedged engine must not keep the JVM alive
    this.thread.setDaemon(true);
  }

  /**
   * Builds the engine and starts it; the snapshot and streaming follow asynchronously.
   *
   * @param config the capture's configuration
   * @param sink where the engine's batches go
   * @param errors counts runs that stopped on their own
   */
  static EngineRun start(final CaptureConfig config, final KafkaChangeSink sink, final Counter errors) {
    final Outcome outcome = new Outcome();
    final DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
        .using(CaptureProperties.debezium(config))
        .notifying(sink)
        .using(outcome)
        .using(new LoggingConnectorCallback(config.name()))
        .build();
    final EngineRun run = new EngineRun(config.name(), engine, outcome, errors);
    run.thread.start();
    return run;
  }

  /** Completes when the engine has stopped; exceptionally if it stopped on its own. */
  CompletableFuture<Void> stopped() {
    return stopped;
  }

  /**
   * Stops the engine gracefully (it commits the offsets of acknowledged records) and waits for it
   * until the deadline. Debezium refuses {@code close()} while tasks start (it could leak
   * connections) and runs the shutdown on the calling thread, so the close is retried on a helper
   * thread while this one waits. Called on the engine's own thread (by a dependent of
   * {@link #stopped()}), it returns at once: the engine has stopped.
   *
   * @param deadlineNanos {@link System#nanoTime()} to give up at; the engine's threads are then
   *     abandoned (all daemon threads)
   */
  void stop(final long deadlineNanos) {
    stopRequested = true;
    if (stopped.isDone()) {
      return;
    }
    final Thread stopper = new Thread(() -> {
      while (!stopped.isDone() && remainingMs(deadlineNanos) > 0) {
        try {
          engine.close();
          return;
        } catch (IllegalStateException e) {
          // starting tasks (retry), or already stopping/stopped (the wait ends it)
          LOG.debug("Engine of capture {} not closable yet: {}", name, e.getMessage());
        } catch (IOException e) {
          LOG.warn("Closing the engine of capture {} failed", name, e);
          return;
        }
        awaitStopped(Math.min(CLOSE_RETRY_MS, Math.max(1, remainingMs(deadlineNanos))));
      }
    }, "tidewire-capture-stop-" + name);
    stopper.setDaemon(true);
    stopper.start();
    if (!awaitStopped(remainingMs(deadlineNanos))) {
      LOG.warn("Engine of capture {} did not stop in time; its daemon threads are abandoned", name);
      thread.interrupt();
    }
  }

  private void run() {
    Throwable thrown = null;
    try {
      engine.run();
    } catch (Throwable t) {
      thrown = t;
    }
    final Throwable error = outcome.error(thrown);
    if (stopRequested) {
      if (error != null) {
        // e.g. the sink interrupted while waiting for acks: a consequence of stop(), not a failure
        LOG.info("Engine of capture {} ended during shutdown: {}", name, error.toString());
      } else {
        LOG.debug("Engine of capture {} completed: {}", name, outcome.message);
      }
      stopped.complete(null);
    } else {
      final Throwable failure = error != null ? error
          : new CaptureException("engine stopped although nobody closed it: " + outcome.message);
      errors.increment();
      LOG.error("Capture {} failed; offsets stay at the last acknowledged batch", name, failure);
      stopped.completeExceptionally(failure);
    }
  }

  /** Waits up to {@code ms} for the engine to stop, keeping the interrupt flag; true if it did. */
  private boolean awaitStopped(final long ms) {
    try {
      stopped.get(Math.max(0, ms), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static long remainingMs(final long deadlineNanos) {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  /** What the engine said when it completed; read by the engine's thread after {@code run()}. */
  private static final class Outcome implements DebeziumEngine.CompletionCallback {
    private volatile Throwable reported;
    private volatile String message;

    @Override
    public void handle(final boolean success, final String message, final Throwable error) {
      this.message = message;
      if (error != null || !success) {
        this.reported = error != null ? error : new CaptureException(message);
      }
    }

    /** The error the run ended with, if any: the engine's own report first, then what {@code run()} threw. */
    Throwable error(final Throwable thrown) {
      return reported != null ? reported : thrown;
    }
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
