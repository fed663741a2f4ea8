package io.tidewire.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.processor.internals.BalanceChangeMapper;
import io.tidewire.processor.internals.ContentStateProcessor;
import io.tidewire.processor.internals.DecodeException;
import io.tidewire.processor.internals.Notifications;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

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
 *   <li>{@code tidewire.processor.content.access{outcome}}: records written to
 *       {@code realtime.content-access}: owner and visibility of a feed row ({@code outcome=updated})
 *       and tombstones for deleted rows ({@code outcome=deleted})</li>
 *   <li>{@code tidewire.processor.user.inputs{table,path}}: inputs of the credits join and the
 *       user-state fold, by how they reached the user's task: {@code path=direct} (the capture put
 *       the change in its owner's partition: one hop) or {@code path=repartition} (through the
 *       repartition topic: an owner change's old owner, a table not partitioned by owner)</li>
 *   <li>{@code tidewire.processor.quiet.commits}: commits asked for because a change reached a
 *       stream thread after a quiet spell ({@code TIDEWIRE_PROCESSOR_QUIET_COMMIT_MS}); each is an
 *       exactly-once transaction besides those of the commit interval</li>
 *   <li>{@code tidewire.processor.lag} gauge: records behind, the sum of the stream threads'
 *       consumers' per-partition {@code records-lag}</li>
 * </ul>
 *
 * <p>Every counter whose tags are known from the configuration (tables, event types, sides,
 * outcomes, decode failures) is registered at zero by {@link #ProcessorMetrics(MeterRegistry,
 * ProcessorConfig)}, so that a scrape shows it, and a rate over it is right, before its first
 * increment.
 *
 * <p>Counters move when a record is processed, not when its transaction commits: after an aborted
 * transaction the retried records count again, so they may run slightly ahead of the topics.
 */
public final class ProcessorMetrics {

  static final String EVENTS = "tidewire.processor.events";
  static final String DEAD_LETTERS = "tidewire.processor.dead.letters";
  static final String DUPLICATES = "tidewire.processor.duplicates";
  static final String CREDITS_UNMATCHED = "tidewire.processor.credits.unmatched";
  static final String NOTIFICATIONS_DROPPED = "tidewire.processor.notifications.dropped";
  static final String USER_STATES = "tidewire.processor.user.states";
  static final String TOMBSTONES = "tidewire.processor.tombstones";
  static final String CONTENT_ACCESS = "tidewire.processor.content.access";
  static final String USER_INPUTS = "tidewire.processor.user.inputs";
  static final String QUIET_COMMITS = "tidewire.processor.quiet.commits";

  private final MeterRegistry registry;
  static final String LAG = "tidewire.processor.lag";

  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicReference<DoubleSupplier> lag = new AtomicReference<>(() -> 0);

  /** Metrics whose counters appear at their first increment. */
  public ProcessorMetrics(final MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Metrics with every counter whose tags this configuration determines registered at zero. */
  public ProcessorMetrics(final MeterRegistry registry, final ProcessorConfig config) {
    this(registry);
    for (final String table : tables(config)) {
      counter(TOMBSTONES, "table", table);
      counter(DUPLICATES, "table", table);
      for (final DecodeException.Kind kind : DecodeException.Kind.values()) {
        counter(DEAD_LETTERS, "table", table, "failure", kind.tag());
      }
    }
    for (final String table : userInputTables(config)) {
      counter(USER_INPUTS, "table", table, "path", "direct");
      counter(USER_INPUTS, "table", table, "path", "repartition");
    }
    config.ownedTables().forEach(t -> t.eventType().ifPresent(type -> counter(EVENTS, "type", type)));
    config.balanceTable().ifPresent(t -> counter(EVENTS, "type", BalanceChangeMapper.TYPE));
    if (!config.reactionTables().isEmpty()) {
      counter(EVENTS, "type", ContentStateProcessor.FEED_COUNTS);
      counter(EVENTS, "type", Notifications.TYPE);
    }
    counter(CREDITS_UNMATCHED, "side", "balance");
    counter(CREDITS_UNMATCHED, "side", "transaction");
    counter(NOTIFICATIONS_DROPPED);
    counter(USER_STATES, "outcome", "updated");
    counter(USER_STATES, "outcome", "deleted");
    counter(CONTENT_ACCESS, "outcome", "updated");
    counter(CONTENT_ACCESS, "outcome", "deleted");
    counter(QUIET_COMMITS);
    // strong: a weakly held supplier would read NaN once this object is collected
    Gauge.builder(LAG, lag, l -> l.get().getAsDouble()).strongReference(true)
        .description("records behind: the sum over the input partitions of end offset - position")
        .baseUnit("records").register(registry);
  }

  /** Where the gauge {@code tidewire.processor.lag} (registered at zero) reads from now on. */
  void lag(final DoubleSupplier recordsBehind) {
    lag.set(Objects.requireNonNull(recordsBehind, "recordsBehind"));
  }

  private static List<String> tables(final ProcessorConfig config) {
    final Set<String> tables = new LinkedHashSet<>();
    config.ownedTables().forEach(t -> tables.add(t.table().qualified()));
    config.feedTables().forEach(t -> tables.add(t.table().qualified()));
    config.balanceTable().ifPresent(t -> tables.add(t.table().qualified()));
    config.transactionTable().ifPresent(t -> tables.add(t.table().qualified()));
    config.reactionTables().forEach(t -> tables.add(t.table().qualified()));
    return List.copyOf(tables);
  }

  /** The tables that may feed the credits join or the user-state fold. */
  private static List<String> userInputTables(final ProcessorConfig config) {
    final Set<String> tables = new LinkedHashSet<>();
    if (config.userState()) {
      config.ownedTables().forEach(t -> tables.add(t.table().qualified()));
    }
    config.balanceTable().ifPresent(t -> tables.add(t.table().qualified()));
    config.transactionTable().ifPresent(t -> tables.add(t.table().qualified()));
    return List.copyOf(tables);
  }

  /** Metrics that record nothing, for tests and tools that build the topology alone. */
  public static ProcessorMetrics noop() {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(MeterFilter.deny());
    return new ProcessorMetrics(registry);
  }

  /** An event of this type was forwarded to its output topic. */
  public void eventEmitted(final String type) {
    counter(EVENTS, "type", type).increment();
  }

  /** A record of this table was sent to the dead-letter topic for this kind of failure. */
  public void deadLettered(final String table, final String failure) {
    counter(DEAD_LETTERS, "table", table, "failure", failure).increment();
  }

  /** A change of this table was a redelivery of one already processed, and was dropped. */
  public void duplicateDropped(final String table) {
    counter(DUPLICATES, "table", table).increment();
  }

  /** A balance change went out without a transaction, or a transaction row matched nothing. */
  public void creditsUnmatched(final String side) {
    counter(CREDITS_UNMATCHED, "side", side).increment();
  }

  /** Notifications waiting for their content row were dropped. */
  public void notificationsDropped(final int count) {
    if (count > 0) {
      counter(NOTIFICATIONS_DROPPED).increment(count);
    }
  }

  /** A user's new state ({@code updated}) or tombstone ({@code deleted}) was forwarded. */
  public void userStateWritten(final String outcome) {
    counter(USER_STATES, "outcome", outcome).increment();
  }

  /** A content item's access ({@code updated}) or tombstone ({@code deleted}) was forwarded. */
  public void contentAccessWritten(final String outcome) {
    counter(CONTENT_ACCESS, "outcome", outcome).increment();
  }

  /**
   * The counters of {@code table}'s inputs to the features keyed by user, resolved once so that
   * counting a record is one increment.
   */
  public UserInputs userInputs(final String table) {
    return new UserInputs(counter(USER_INPUTS, "table", table, "path", "direct"),
        counter(USER_INPUTS, "table", table, "path", "repartition"));
  }

  /** One table's {@code tidewire.processor.user.inputs} counters. */
  public record UserInputs(Counter direct, Counter repartition) {

    /** An input went to its feature directly ({@code here}) or through its repartition topic. */
    public void placed(final boolean here) {
      (here ? direct : repartition).increment();
    }
  }

  /** A change arrived after a quiet spell and asked for a commit ({@code QuietCommits}). */
  public void quietCommitAsked() {
    counter(QUIET_COMMITS).increment();
  }

  /** A tombstone (null value after a delete) of this table was skipped. */
  public void tombstoneSkipped(final String table) {
    counter(TOMBSTONES, "table", table).increment();
  }

  private Counter counter(final String name, final String... tags) {
    final List<String> key = new ArrayList<>(tags.length + 1);
    key.add(name);
    key.addAll(List.of(tags));
    return counters.computeIfAbsent(key, k -> Counter.builder(name)
        .description(DESCRIPTIONS.get(name))
        .tags(tags)
        .register(registry));
  }

  private static final Map<String, String> DESCRIPTIONS = Map.of(
      EVENTS, "events emitted by the stream processor",
      DEAD_LETTERS, "records the stream processor could not process",
      DUPLICATES, "redelivered changes the stream processor dropped",
      CREDITS_UNMATCHED, "credit balance changes or transactions the credits join could not pair",
      NOTIFICATIONS_DROPPED, "like/comment notifications dropped because their content was never seen",
      USER_STATES, "user states (and tombstones) the stream processor wrote",
      TOMBSTONES, "tombstones skipped by the stream processor",
      CONTENT_ACCESS, "content access records (and tombstones) the stream processor wrote",
      USER_INPUTS, "inputs of the credits join and user-state fold, by path to the user's task",
      QUIET_COMMITS, "commits asked for by a change that reached a stream thread after a quiet spell");
}
