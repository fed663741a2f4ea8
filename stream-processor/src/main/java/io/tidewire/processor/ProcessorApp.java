package io.tidewire.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.tidewire.processor.internals.DeserializationDeadLetters;
import io.tidewire.schemas.ConsumerLag;
import io.tidewire.schemas.Topic;
import io.tidewire.schemas.TooFewBrokersException;
import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream-processor process: provisions its topics, then runs the {@link TopologyFactory}
 * topology in Kafka Streams with {@code exactly_once_v2}. The only class that touches
 * {@link KafkaStreams}.
 *
 * <p>Lifecycle: construct (no I/O), {@link #start()} once, {@link #close()} any number of times.
 * A stream thread that dies is replaced (bounded: a thread dying again and again shuts the client
 * down, and {@link #isHealthy()} turns false). Kafka Streams and the processor's own metrics are
 * bound to the given {@link MeterRegistry}.
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} are serialized; {@link #isHealthy()} and
 * {@link #awaitRunning(Duration)} may be called from any thread.
 */
public final class ProcessorApp implements AutoCloseable {

  /** Thread replacements tolerated within {@link #REPLACEMENT_WINDOW}. */
  static final int MAX_THREAD_REPLACEMENTS = 5;
  static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

  private final ProcessorConfig config;
  private final int maxThreadReplacements;
  private final MeterRegistry registry;
  private final ProcessorMetrics metrics;
  private final Object lifecycle = new Object();
  private final Object stateChange = new Object();

  // guarded by lifecycle
  private boolean started;
  private boolean closed;
  private KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;
  // written by the state listener, read by anyone
  private volatile State state = State.CREATED;
  private volatile Throwable lastUncaught;
  /** Completes exceptionally when Kafka Streams reaches ERROR: the client is gone for good. */
  private final CompletableFuture<Void> fatal = new CompletableFuture<>();

  public ProcessorApp(final ProcessorConfig config, final MeterRegistry registry) {
    this(config, registry, MAX_THREAD_REPLACEMENTS);
  }

  /** As the public constructor, with another budget of thread replacements (tests: 0 fails at the first death). */
  ProcessorApp(final ProcessorConfig config, final MeterRegistry registry, final int maxThreadReplacements) {
    this.maxThreadReplacements = maxThreadReplacements;
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.metrics = new ProcessorMetrics(registry, config);
  }

  /**
   * Creates missing topics (the configured {@code cdc.*} inputs, the event and dead-letter
   * outputs, and {@code realtime.user-state} unless it is turned off; each with the configs of
   * the catalogue, {@link Topics}), then starts
   * Kafka Streams and returns; use {@link #awaitRunning(Duration)} to wait for the first
   * assignment.
   *
   * @throws ProcessorException when topics cannot be provisioned or Streams cannot start, or when
   *     called twice or after {@link #close()}
   */
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new ProcessorException("the processor is closed");
      }
      if (started) {
        throw new ProcessorException("the processor is already started");
      }
      started = true;
      provisionTopics();
      final Properties props = StreamsProperties.streams(config);
      props.put(DeserializationDeadLetters.METRICS_CONFIG, metrics);
      final KafkaStreams kafkaStreams = new KafkaStreams(TopologyFactory.build(config, metrics), props);
      kafkaStreams.setStateListener(this::onStateChange);
      final ThreadReplacementPolicy policy =
          new ThreadReplacementPolicy(maxThreadReplacements, REPLACEMENT_WINDOW, System::nanoTime);
      kafkaStreams.setUncaughtExceptionHandler(exception -> {
        lastUncaught = exception;
        return policy.handle(exception);
      });
      streams = kafkaStreams;
      streamsMetrics = new KafkaStreamsMetrics(kafkaStreams);
      streamsMetrics.bindTo(registry);
      // the stream threads' main consumers only: restores and global tables are not "behind"
      metrics.lag(() -> ConsumerLag.sum(kafkaStreams.metrics(),
          client -> !client.endsWith("-restore-consumer") && !client.endsWith("-global-consumer")));
      try {
        kafkaStreams.start();
      } catch (RuntimeException e) {
        throw new ProcessorException("cannot start Kafka Streams: " + e.getMessage(), e);
      }
      LOG.info("Stream processor {} started: {} tables, commit interval {} ms, {} thread(s)",
          config.applicationId(), config.inputTopics().size(), config.commitInterval().toMillis(),
          config.streamThreads());
    }
  }

  /**
   * Registers a listener called once, on a Kafka Streams thread, if the processor fails for good:
   * Kafka Streams reached {@code ERROR} (a stream thread kept dying, see
   * {@link ThreadReplacementPolicy}, or an error it cannot recover from). Nothing in this process
   * restarts it; the launcher exits non-zero so that a supervisor restarts the process, which
   * resumes from the committed offsets. Called at once if it already failed.
   *
   * @param listener receives the last exception that killed a stream thread, wrapped
   */
  public void onFatalError(final Consumer<Throwable> listener) {
    Objects.requireNonNull(listener, "listener");
    fatal.whenComplete((ignored, failure) -> {
      if (failure != null) {
        listener.accept(failure);
      }
    });
  }

  /** True while Kafka Streams is running or rebalancing. */
  public boolean isHealthy() {
    return state.isRunningOrRebalancing();
  }

  /**
   * Waits until Kafka Streams is running (has its assignment).
   *
   * @return true when running; false on timeout, or when Streams stopped or failed instead
   */
  public boolean awaitRunning(final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (stateChange) {
      while (state != State.RUNNING) {
        if (state.isShuttingDown() || state.hasCompletedShutdown() || state == State.PENDING_ERROR) {
          return false;
        }
        final long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return false;
        }
        try {
          stateChange.wait(leftMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Stops Kafka Streams (committing what was processed, waiting up to the configured shutdown
   * timeout) and unbinds its metrics. Idempotent; a no-op before {@link #start()}.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      if (streams != null) {
        final boolean clean = streams.close(CloseOptions.timeout(config.shutdownTimeout())
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (!clean) {
          LOG.warn("Kafka Streams did not stop within {} ms", config.shutdownTimeout().toMillis());
        }
      }
      if (streamsMetrics != null) {
        streamsMetrics.close();
      }
      LOG.info("Stream processor {} closed", config.applicationId());
    }
  }

  private void provisionTopics() {
    final List<Topic<?, ?>> topics = new ArrayList<>();
    config.inputTopics().forEach(name -> topics.add(Topics.bytes(name)));
    topics.addAll(config.outputTopics());
    try (Admin admin = Admin.create(StreamsProperties.admin(config))) {
      TopicProvisioner.ensure(admin, topics, config.topicPartitions(), config.kafka());
    } catch (TooFewBrokersException e) {
      throw new ProcessorException(e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ProcessorException("cannot provision topics " + topics + ": " + e.getMessage(), e);
    }
  }

  private void onStateChange(final State newState, final State oldState) {
    if (newState == State.ERROR || newState == State.PENDING_ERROR) {
      LOG.error("Kafka Streams {} -> {}", oldState, newState);
    } else {
      LOG.info("Kafka Streams {} -> {}", oldState, newState);
    }
    synchronized (stateChange) {
      state = newState;
      stateChange.notifyAll();
    }
    if (newState == State.ERROR) {
      final Throwable cause = lastUncaught;
      fatal.completeExceptionally(new ProcessorException("Kafka Streams " + config.applicationId()
          + " stopped in ERROR" + (cause == null ? "" : ": " + cause), cause));
    }
  }
}
