package io.tidewire.processor;

import static io.tidewire.processor.ProcessorSettings.APP_ID;
import static io.tidewire.processor.ProcessorSettings.BALANCE_TABLE;
import static io.tidewire.processor.ProcessorSettings.COMMIT_INTERVAL;
import static io.tidewire.processor.ProcessorSettings.CONTENT_WAIT;
import static io.tidewire.processor.ProcessorSettings.CREDITS_WAIT;
import static io.tidewire.processor.ProcessorSettings.DEDUP_WINDOW;
import static io.tidewire.processor.ProcessorSettings.FEED_COUNTS_INTERVAL;
import static io.tidewire.processor.ProcessorSettings.FEED_TABLES;
import static io.tidewire.processor.ProcessorSettings.OWNED_TABLES;
import static io.tidewire.processor.ProcessorSettings.QUIET_COMMIT;
import static io.tidewire.processor.ProcessorSettings.REACTION_TABLES;
import static io.tidewire.processor.ProcessorSettings.ROW_CHANGES;
import static io.tidewire.processor.ProcessorSettings.SHUTDOWN_TIMEOUT;
import static io.tidewire.processor.ProcessorSettings.STATE_DIR;
import static io.tidewire.processor.ProcessorSettings.STREAMS;
import static io.tidewire.processor.ProcessorSettings.THREADS;
import static io.tidewire.processor.ProcessorSettings.TRANSACTION_TABLE;
import static io.tidewire.processor.ProcessorSettings.USER_STATE;

import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.SettingGroup;
import io.tidewire.settings.SettingsReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of one stream-processor process, loaded once at start by {@link #fromEnv(Map)} from
 * the variables of {@link ProcessorSettings}, which is where the values are validated; the
 * constructor only freezes them. Immutable and thread-safe.
 *
 * <p>Kafka Streams settings without a variable of their own pass through as
 * {@code TIDEWIRE_KAFKA_STREAMS_<NAME>} (lower-cased, {@code _} becomes {@code .}), those of every
 * Kafka client as {@code TIDEWIRE_KAFKA_<NAME>} ({@link KafkaSettings}); they reach Kafka only at
 * the library boundary ({@link StreamsProperties}). Settings that have a variable here, and
 * {@code processing.guarantee}, cannot be overridden this way.
 *
 * @param kafka the cluster, topic sizing and Kafka client overrides (shared by every part)
 * @param applicationId Kafka Streams application id (consumer group, transactional id prefix)
 * @param stateDir Kafka Streams state directory
 * @param commitInterval Kafka Streams commit interval; under exactly-once it bounds how long a
 *     {@code read_committed} reader waits for output
 * @param quietCommit a change that reaches a stream thread after it processed nothing for this
 *     long is committed at once ({@code QuietCommits}); zero leaves it to the commit interval
 * @param streamThreads stream threads in this process
 * @param shutdownTimeout how long {@link ProcessorApp#close()} waits for Kafka Streams
 * @param ownedTables user-owned tables, in configured order
 * @param feedTables public feed tables, in configured order
 * @param balanceTable the table of credit balances ({@code credits.updated}), if any
 * @param transactionTable the table of credit transactions joined with balance changes, if any
 * @param reactionTables likes and comments tables ({@code feed.counts}, notifications)
 * @param timings de-duplication window, credits join wait, feed counts interval, content wait
 * @param userState whether the processor writes each user's current state (balance, unfinished
 *     jobs) to {@code realtime.user-state}
 * @param rowChanges whether every change of every owned, balance and credit transaction table also
 *     becomes a {@code row.<table>} user event, and changes of public rows go to
 *     {@code realtime.public-changes}; off, only owned tables without an event type yield
 *     {@code row.<table>}
 * @param streamsOverrides Kafka Streams properties passed through verbatim
 */
public record ProcessorConfig(
    KafkaSettings kafka,
    String applicationId,
    Path stateDir,
    Duration commitInterval,
    Duration quietCommit,
    int streamThreads,
    Duration shutdownTimeout,
    List<OwnedTable> ownedTables,
    List<FeedTable> feedTables,
    Optional<BalanceTable> balanceTable,
    Optional<TransactionTable> transactionTable,
    List<ReactionTable> reactionTables,
    Timings timings,
    boolean userState,
    boolean rowChanges,
    Map<String, String> streamsOverrides) {

  /** Freezes the collections; values are validated by {@link #fromEnv}. */
  public ProcessorConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(quietCommit, "quietCommit");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    ownedTables = List.copyOf(ownedTables);
    feedTables = List.copyOf(feedTables);
    Objects.requireNonNull(balanceTable, "balanceTable");
    Objects.requireNonNull(transactionTable, "transactionTable");
    reactionTables = List.copyOf(reactionTables);
    Objects.requireNonNull(timings, "timings");
    streamsOverrides = Map.copyOf(streamsOverrides);
  }

  /**
   * Loads the configuration of a processor that shares {@code env} with no other part.
   *
   * @see #fromEnv(Map, SettingGroup)
   */
  public static ProcessorConfig fromEnv(final Map<String, String> env) {
    return fromEnv(env, ProcessorSettings.SETTINGS);
  }

  /**
   * Loads the configuration from environment variables (pass {@code System.getenv()}). Blank
   * values count as unset.
   *
   * @param known the variables of every part that may share {@code env} (the launcher's union), so
   *     that only variables no part reads are rejected as unknown
   * @throws ProcessorConfigException listing every problem found
   */
  public static ProcessorConfig fromEnv(final Map<String, String> env, final SettingGroup known) {
    final SettingsReader in = SettingsReader.of(env, known.and(ProcessorSettings.SETTINGS));
    final List<FeedTable> feed = in.get(FEED_TABLES);
    final Optional<BalanceTable> balance = in.get(BALANCE_TABLE);
    // A dependent table's default applies only when what it depends on is there, so that
    // TIDEWIRE_FEED_TABLES=none alone turns the feed off rather than failing.
    final ProcessorConfig config = new ProcessorConfig(KafkaSettings.read(in), in.get(APP_ID), in.get(STATE_DIR),
        in.get(COMMIT_INTERVAL), in.get(QUIET_COMMIT), in.get(THREADS), in.get(SHUTDOWN_TIMEOUT),
        in.get(OWNED_TABLES), feed, balance,
        in.get(TRANSACTION_TABLE, balance.isPresent() ? TRANSACTION_TABLE.defaultValue().orElseThrow()
            : Optional.empty()),
        in.get(REACTION_TABLES, feed.isEmpty() ? List.of() : REACTION_TABLES.defaultValue().orElseThrow()),
        new Timings(in.get(DEDUP_WINDOW), in.get(CREDITS_WAIT), in.get(FEED_COUNTS_INTERVAL), in.get(CONTENT_WAIT)),
        in.get(USER_STATE), in.get(ROW_CHANGES), in.passThrough(STREAMS, StreamsProperties.STREAMS_FIXED));
    config.checkTables(in);
    in.throwIfInvalid(ProcessorConfigException::new);
    return config;
  }

  /** What the table settings must satisfy together. */
  private void checkTables(final SettingsReader in) {
    in.check(!ownedTables.isEmpty() || !feedTables.isEmpty() || balanceTable.isPresent() || !reactionTables.isEmpty(),
        "no tables to process: " + OWNED_TABLES.name() + ", " + FEED_TABLES.name() + ", " + BALANCE_TABLE.name()
            + " and " + REACTION_TABLES.name() + " name no valid table",
        OWNED_TABLES, FEED_TABLES, BALANCE_TABLE, REACTION_TABLES);
    in.check(transactionTable.isEmpty() || balanceTable.isPresent(), TRANSACTION_TABLE.name() + " needs "
        + BALANCE_TABLE.name() + " (transactions are joined with balance changes)", TRANSACTION_TABLE, BALANCE_TABLE);
    balanceTable.filter(b -> transactionTable.filter(t -> t.table().equals(b.table())).isPresent())
        .ifPresent(b -> in.check(false, TRANSACTION_TABLE.name() + ": table " + b.table()
            + " is also the balance table", TRANSACTION_TABLE, BALANCE_TABLE));
    in.check(reactionTables.isEmpty() || !feedTables.isEmpty(), REACTION_TABLES.name() + " needs "
        + FEED_TABLES.name() + " (reactions are counted per content item of a feed table)",
        REACTION_TABLES, FEED_TABLES);
    final Set<TableId> seenReactions = new HashSet<>();
    for (final ReactionTable t : reactionTables) {
      in.check(seenReactions.add(t.table()), REACTION_TABLES.name() + ": table " + t.table()
          + " is listed more than once", REACTION_TABLES);
      in.check(feedTables.stream().noneMatch(f -> f.table().equals(t.table())),
          REACTION_TABLES.name() + ": table " + t.table() + " is also a feed table", REACTION_TABLES, FEED_TABLES);
    }
    final Set<TableId> seenOwned = new HashSet<>();
    for (final OwnedTable t : ownedTables) {
      in.check(seenOwned.add(t.table()), OWNED_TABLES.name() + ": table " + t.table() + " is listed more than once",
          OWNED_TABLES);
    }
    final Set<TableId> seenFeed = new HashSet<>();
    final Set<String> contentTypes = new HashSet<>();
    for (final FeedTable t : feedTables) {
      in.check(seenFeed.add(t.table()), FEED_TABLES.name() + ": table " + t.table() + " is listed more than once",
          FEED_TABLES);
      in.check(contentTypes.add(t.contentType()), FEED_TABLES.name() + ": content type '" + t.contentType()
          + "' is used by more than one table (feed keys would collide)", FEED_TABLES);
    }
  }

  /** Partitions of the topics this process creates (and of the topology's repartition topics). */
  public int topicPartitions() {
    return kafka.topicPartitions();
  }

  /** Change topics this process reads, one per configured table, in configured order. */
  public List<String> inputTopics() {
    final Set<String> topics = new LinkedHashSet<>();
    ownedTables.forEach(t -> topics.add(t.table().topic()));
    feedTables.forEach(t -> topics.add(t.table().topic()));
    balanceTable.ifPresent(t -> topics.add(t.table().topic()));
    transactionTable.ifPresent(t -> topics.add(t.table().topic()));
    reactionTables.forEach(t -> topics.add(t.table().topic()));
    return List.copyOf(topics);
  }

  /**
   * Topics this process writes: the events, the public row changes (created even when
   * {@link #rowChanges()} is off, so that their readers find them), the content access, the dead
   * letters, and {@code realtime.user-state} unless {@link #userState()} is off.
   */
  public List<Topic<?, ?>> outputTopics() {
    return userState
        ? List.of(Topics.USER_EVENTS, Topics.FEED_EVENTS, Topics.PUBLIC_CHANGES, Topics.CONTENT_ACCESS,
            Topics.DEAD_LETTER, Topics.USER_STATE)
        : List.of(Topics.USER_EVENTS, Topics.FEED_EVENTS, Topics.PUBLIC_CHANGES, Topics.CONTENT_ACCESS,
            Topics.DEAD_LETTER);
  }
}
