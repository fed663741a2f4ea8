package io.tidewire.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processor's own counters, next to the Kafka Streams metrics that {@link ProcessorApp} binds.
 * Thread-safe: stream threads call it concurrently.
 *
 * <ul>
 *   <li>{@code tidewire.processor.events{type}}: events emitted, per event type</li>
 *   <li>{@code tidewire.processor.dead.letters{table,failure}}: records sent to the dead-letter topic</li>
 *   <li>{@code tidewire.processor.tombstones{table}}: tombstones skipped</li>
 *   <li>{@code tidewire.processor.duplicates{table}}: redelivered changes dropped</li>
 *   <li>{@code tidewire.processor.credits.unmatched{side}}: balance changes sent without a
 *       transaction ({@code side=balance}), transaction rows that explained no balance change
 *       ({@code side=transaction})</li>
 *   <li>{@code tidewire.processor.notifications.dropped}: like/comment notifications dropped
 *       because the content row never came (or the content was deleted first)</li>
 *   <li>{@code tidewire.processor.user.states{outcome}}: user states written to
 *       {@code realtime.user-state} ({@code outcome=updated}) and tombstones for deleted users
 *       ({@code outcome=deleted})</li>
 * </ul>
 *
 * <p>Counters move when a record is processed, not when its transaction commits: after an aborted
 * transaction the retried records count again, so they may run slightly ahead of the topics.
 */
public final class ProcessorMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public ProcessorMetrics(final MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Metrics that record nothing, for tests and tools that build the topology alone. */
  public static ProcessorMetrics noop() {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(MeterFilter.deny());
    return new ProcessorMetrics(registry);
  }

  /** An event of this type was forwarded to its output topic. */
  public void eventEmitted(final String type) {
    counters.computeIfAbsent("events|" + type, k -> Counter.builder("tidewire.processor.events")
        .description("events emitted by the stream processor")
        .tag("type", type)
        .register(registry)).increment();
  }

  /** A record of this table was sent to the dead-letter topic for this kind of failure. */
  public void deadLettered(final String table, final String failure) {
    counters.computeIfAbsent("dlq|" + table + "|" + failure,
        k -> Counter.builder("tidewire.processor.dead.letters")
            .description("records the stream processor could not process")
            .tag("table", table)
            .tag("failure", failure)
            .register(registry)).increment();
  }

  /** A change of this table was a redelivery of one already processed, and was dropped. */
  public void duplicateDropped(final String table) {
    counters.computeIfAbsent("duplicates|" + table, k -> Counter.builder("tidewire.processor.duplicates")
        .description("redelivered changes the stream processor dropped")
        .tag("table", table)
        .register(registry)).increment();
  }

  /** A balance change went out without a transaction, or a transaction row matched nothing. */
  public void creditsUnmatched(final String side) {
    counters.computeIfAbsent("credits|" + side, k -> Counter.builder("tidewire.processor.credits.unmatched")
        .description("credit balance changes or transactions the credits join could not pair")
        .tag("side", side)
        .register(registry)).increment();
  }

  /** Notifications waiting for their content row were dropped. */
  public void notificationsDropped(final int count) {
    if (count > 0) {
      counters.computeIfAbsent("notifications-dropped",
          k -> Counter.builder("tidewire.processor.notifications.dropped")
              .description("like/comment notifications dropped because their content was never seen")
              .register(registry)).increment(count);
    }
  }

  /** A user's new state ({@code updated}) or tombstone ({@code deleted}) was forwarded. */
  public void userStateWritten(final String outcome) {
    counters.computeIfAbsent("user-states|" + outcome, k -> Counter.builder("tidewire.processor.user.states")
        .description("user states (and tombstones) the stream processor wrote")
        .tag("outcome", outcome)
        .register(registry)).increment();
  }

  /** A tombstone (null value after a delete) of this table was skipped. */
  public void tombstoneSkipped(final String table) {
    counters.computeIfAbsent("tombstones|" + table, k -> Counter.builder("tidewire.processor.tombstones")
        .description("tombstones skipped by the stream processor")
        .tag("table", table)
        .register(registry)).increment();
  }
}
