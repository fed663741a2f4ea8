package io.tidewire.processor;

import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Settings of one stream-processor process, loaded once at start from environment variables by
 * {@link #fromEnv(Map)} and validated. Immutable and thread-safe.
 *
 * <p>Kafka Streams settings without a variable of their own pass through as
 * {@code TIDEWIRE_KAFKA_STREAMS_<NAME>}: the rest of the name is lower-cased and {@code _} becomes
 * {@code .}, so {@code TIDEWIRE_KAFKA_STREAMS_PRODUCER_LINGER_MS=5} sets {@code producer.linger.ms}.
 * They reach Kafka only at the library boundary ({@link ProcessorApp}); settings that have a
 * variable here, and {@code processing.guarantee}, cannot be overridden this way.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param applicationId Kafka Streams application id (consumer group, transactional id prefix)
 * @param stateDir Kafka Streams state directory
 * @param commitInterval Kafka Streams commit interval; under exactly-once it bounds how long a
 *     {@code read_committed} reader waits for output
 * @param streamThreads stream threads in this process
 * @param topicPartitions partitions of topics this process creates
 * @param replicationFactor replication factor of topics this process creates
 * @param shutdownTimeout how long {@link ProcessorApp#close()} waits for Kafka Streams
 * @param ownedTables user-owned tables, in configured order
 * @param feedTables public feed tables, in configured order
 * @param balanceTable the table of credit balances ({@code credits.updated}), if any
 * @param transactionTable the table of credit transactions joined with balance changes, if any
 * @param reactionTables likes and comments tables ({@code feed.counts}, notifications)
 * @param timings de-duplication window, credits join wait, feed counts interval, content wait
 * @param userState whether the processor writes each user's current state (balance, unfinished
 *     jobs) to {@code realtime.user-state}
 * @param streamsOverrides Kafka Streams properties passed through verbatim
 */
public record ProcessorConfig(
    String bootstrapServers,
    String applicationId,
    Path stateDir,
    Duration commitInterval,
    int streamThreads,
    int topicPartitions,
    short replicationFactor,
    Duration shutdownTimeout,
    List<OwnedTable> ownedTables,
    List<FeedTable> feedTables,
    Optional<BalanceTable> balanceTable,
    Optional<TransactionTable> transactionTable,
    List<ReactionTable> reactionTables,
    Timings timings,
    boolean userState,
    Map<String, String> streamsOverrides) {

  /** Kafka bootstrap servers (required). */
  public static final String ENV_BOOTSTRAP = "TIDEWIRE_KAFKA_BOOTSTRAP";
  /** Kafka Streams application id. */
  public static final String ENV_APP_ID = "TIDEWIRE_PROCESSOR_APP_ID";
  /** Kafka Streams state directory. */
  public static final String ENV_STATE_DIR = "TIDEWIRE_PROCESSOR_STATE_DIR";
  /** Commit interval in milliseconds. */
  public static final String ENV_COMMIT_INTERVAL_MS = "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS";
  /** Number of stream threads. */
  public static final String ENV_THREADS = "TIDEWIRE_PROCESSOR_THREADS";
  /** Close timeout in milliseconds. */
  public static final String ENV_SHUTDOWN_TIMEOUT_MS = "TIDEWIRE_PROCESSOR_SHUTDOWN_TIMEOUT_MS";
  /** Partitions of created topics. */
  public static final String ENV_TOPIC_PARTITIONS = "TIDEWIRE_TOPIC_PARTITIONS";
  /** Replication factor of created topics. */
  public static final String ENV_TOPIC_REPLICATION_FACTOR = "TIDEWIRE_TOPIC_REPLICATION_FACTOR";
  /** User-owned tables, {@code schema.table:ownerColumn[:eventType]} separated by commas. */
  public static final String ENV_OWNED_TABLES = "TIDEWIRE_OWNED_TABLES";
  /** Feed tables, {@code schema.table:contentType} separated by commas. */
  public static final String ENV_FEED_TABLES = "TIDEWIRE_FEED_TABLES";
  /** Credit balance table, {@code schema.table:userColumn:balanceColumn}, or {@code none}. */
  public static final String ENV_CREDITS_BALANCE_TABLE = "TIDEWIRE_CREDITS_BALANCE_TABLE";
  /** Credit transaction table, {@code schema.table:userColumn:amountColumn[:reasonColumn]}, or {@code none}. */
  public static final String ENV_CREDITS_TRANSACTION_TABLE = "TIDEWIRE_CREDITS_TRANSACTION_TABLE";
  /** Reaction tables, {@code schema.table:like|comment} separated by commas, or {@code none}. */
  public static final String ENV_REACTION_TABLES = "TIDEWIRE_REACTION_TABLES";
  /** De-duplication window in milliseconds of commit time. */
  public static final String ENV_DEDUP_WINDOW_MS = "TIDEWIRE_PROCESSOR_DEDUP_WINDOW_MS";
  /** Credits join wait in milliseconds. */
  public static final String ENV_CREDITS_WAIT_MS = "TIDEWIRE_PROCESSOR_CREDITS_WAIT_MS";
  /** Least milliseconds between two feed.counts of one content item. */
  public static final String ENV_FEED_COUNTS_INTERVAL_MS = "TIDEWIRE_PROCESSOR_FEED_COUNTS_INTERVAL_MS";
  /** Milliseconds state is kept for content without a row (or deleted). */
  public static final String ENV_CONTENT_WAIT_MS = "TIDEWIRE_PROCESSOR_CONTENT_WAIT_MS";
  /** Whether to write {@code realtime.user-state}: {@code true} or {@code false}. */
  public static final String ENV_USER_STATE = "TIDEWIRE_PROCESSOR_USER_STATE";
  /** Prefix of Kafka Streams pass-through settings. */
  public static final String ENV_STREAMS_PREFIX = "TIDEWIRE_KAFKA_STREAMS_";

  public static final String DEFAULT_APP_ID = "tidewire-processor";
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 10;
  public static final int DEFAULT_THREADS = 1;
  public static final short DEFAULT_REPLICATION_FACTOR = 1;
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
  /**
   * Generation and training jobs. {@code users} and {@code credit_transactions} are not owned
   * tables by default: their changes reach the user as {@code credits.updated} (balance, delta,
   * transaction id, reason), and a generic {@code row.*} event would tell the same thing twice.
   */
  public static final String DEFAULT_OWNED_TABLES = "public.generation_jobs:user_id:generation.progress,"
      + "public.training_jobs:user_id:training.progress";
  public static final String DEFAULT_FEED_TABLES = "public.videos:video,public.images:image";
  public static final String DEFAULT_CREDITS_BALANCE_TABLE = "public.users:id:credits";
  public static final String DEFAULT_CREDITS_TRANSACTION_TABLE = "public.credit_transactions:user_id:amount:reason";
  public static final String DEFAULT_REACTION_TABLES = "public.likes:like,public.comments:comment";
  /** Value of a table list variable meaning "no tables of this kind". */
  public static final String NONE = "none";

  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:\\d{1,5}|\\[[0-9A-Fa-f:.]+\\]:\\d{1,5}");

  /** Streams settings that have their own variable, so a pass-through must not shadow them. */
  private static final Map<String, String> OWN_SETTINGS = Map.of(
      "application.id", "use " + ENV_APP_ID,
      "bootstrap.servers", "use " + ENV_BOOTSTRAP,
      "state.dir", "use " + ENV_STATE_DIR,
      "commit.interval.ms", "use " + ENV_COMMIT_INTERVAL_MS,
      "num.stream.threads", "use " + ENV_THREADS,
      "replication.factor", "use " + ENV_TOPIC_REPLICATION_FACTOR,
      "processing.guarantee", "it is always exactly_once_v2 (the event contract relies on it)");

  public ProcessorConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    ownedTables = List.copyOf(ownedTables);
    feedTables = List.copyOf(feedTables);
    Objects.requireNonNull(balanceTable, "balanceTable");
    Objects.requireNonNull(transactionTable, "transactionTable");
    reactionTables = List.copyOf(reactionTables);
    Objects.requireNonNull(timings, "timings");
    streamsOverrides = Collections.unmodifiableMap(new TreeMap<>(streamsOverrides));
    final List<String> problems = validate(bootstrapServers, applicationId, commitInterval,
        streamThreads, topicPartitions, replicationFactor, shutdownTimeout, ownedTables, feedTables,
        balanceTable, transactionTable, reactionTables, timings, streamsOverrides);
    if (!problems.isEmpty()) {
      throw new ProcessorConfigException(problems);
    }
  }

  /**
   * Loads the configuration from environment variables (pass {@code System.getenv()}). Blank
   * values count as unset.
   *
   * @throws ProcessorConfigException listing every problem found
   */
  public static ProcessorConfig fromEnv(final Map<String, String> env) {
    final Parser p = new Parser(env);
    final String bootstrap = p.string(ENV_BOOTSTRAP).orElseGet(() -> {
      p.problems.add(ENV_BOOTSTRAP + " is required (Kafka bootstrap servers, host:port[,host:port])");
      return "";
    });
    final String appId = p.string(ENV_APP_ID).orElse(DEFAULT_APP_ID);
    final Path stateDir = p.parse(ENV_STATE_DIR, Path::of, "a file system path")
        .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), DEFAULT_APP_ID));
    final long commitMs = p.parse(ENV_COMMIT_INTERVAL_MS, Long::parseLong, "an integer (milliseconds)")
        .orElse(DEFAULT_COMMIT_INTERVAL_MS);
    final int threads = p.parse(ENV_THREADS, Integer::parseInt, "an integer").orElse(DEFAULT_THREADS);
    final long shutdownMs = p.parse(ENV_SHUTDOWN_TIMEOUT_MS, Long::parseLong, "an integer (milliseconds)")
        .orElse(DEFAULT_SHUTDOWN_TIMEOUT_MS);
    final int partitions = p.parse(ENV_TOPIC_PARTITIONS, Integer::parseInt, "an integer")
        .orElse(TopicProvisioner.DEFAULT_PARTITIONS);
    final short rf = p.parse(ENV_TOPIC_REPLICATION_FACTOR, Short::parseShort, "an integer 1..32767")
        .orElse(DEFAULT_REPLICATION_FACTOR);
    final List<OwnedTable> owned = p.list(ENV_OWNED_TABLES, DEFAULT_OWNED_TABLES, OwnedTable::parse);
    final List<FeedTable> feed = p.list(ENV_FEED_TABLES, DEFAULT_FEED_TABLES, FeedTable::parse);
    final Optional<BalanceTable> balance =
        p.optional(ENV_CREDITS_BALANCE_TABLE, DEFAULT_CREDITS_BALANCE_TABLE, BalanceTable::parse);
    // A dependent table's default applies only when what it depends on is there, so that
    // TIDEWIRE_FEED_TABLES=none alone turns the feed off rather than failing.
    final Optional<TransactionTable> transactions = p.optional(ENV_CREDITS_TRANSACTION_TABLE,
        balance.isPresent() ? DEFAULT_CREDITS_TRANSACTION_TABLE : NONE, TransactionTable::parse);
    final List<ReactionTable> reactions = p.list(ENV_REACTION_TABLES,
        feed.isEmpty() ? NONE : DEFAULT_REACTION_TABLES, ReactionTable::parse);
    final Timings timings = new Timings(
        p.millis(ENV_DEDUP_WINDOW_MS, Timings.DEFAULTS.dedupWindow()),
        p.millis(ENV_CREDITS_WAIT_MS, Timings.DEFAULTS.creditsWait()),
        p.millis(ENV_FEED_COUNTS_INTERVAL_MS, Timings.DEFAULTS.feedCountsInterval()),
        p.millis(ENV_CONTENT_WAIT_MS, Timings.DEFAULTS.contentWait()));
    final boolean userState = p.bool(ENV_USER_STATE, true);
    final Map<String, String> overrides = new TreeMap<>();
    for (final Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (e.getKey().startsWith(ENV_STREAMS_PREFIX) && e.getValue() != null) {
        final String rest = e.getKey().substring(ENV_STREAMS_PREFIX.length());
        if (rest.isEmpty()) {
          p.problems.add(ENV_STREAMS_PREFIX + " needs a setting name after the prefix");
        } else {
          overrides.put(rest.toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
        }
      }
    }
    final List<String> problems = new ArrayList<>(p.problems);
    // Let the constructor's checks run even when parsing failed, so all problems show at once.
    problems.addAll(validate(bootstrap, appId, Duration.ofMillis(commitMs), threads, partitions, rf,
        Duration.ofMillis(shutdownMs), owned, feed, balance, transactions, reactions, timings,
        overrides));
    if (!problems.isEmpty()) {
      throw new ProcessorConfigException(problems);
    }
    return new ProcessorConfig(bootstrap, appId, stateDir, Duration.ofMillis(commitMs), threads,
        partitions, rf, Duration.ofMillis(shutdownMs), owned, feed, balance, transactions, reactions,
        timings, userState, overrides);
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
   * Topics this process writes: the events, the dead letters, and {@code realtime.user-state}
   * unless {@link #userState()} is off.
   */
  public List<Topic<?, ?>> outputTopics() {
    return userState
        ? List.of(Topics.USER_EVENTS, Topics.FEED_EVENTS, Topics.DEAD_LETTER, Topics.USER_STATE)
        : List.of(Topics.USER_EVENTS, Topics.FEED_EVENTS, Topics.DEAD_LETTER);
  }

  private static List<String> validate(final String bootstrap, final String appId,
      final Duration commitInterval, final int threads, final int partitions, final short rf,
      final Duration shutdownTimeout, final List<OwnedTable> owned, final List<FeedTable> feed,
      final Optional<BalanceTable> balance, final Optional<TransactionTable> transactions,
      final List<ReactionTable> reactions, final Timings timings,
      final Map<String, String> overrides) {
    final List<String> problems = new ArrayList<>();
    if (!bootstrap.isBlank()) {
      for (final String server : bootstrap.split(",", -1)) {
        if (!HOST_PORT.matcher(server.trim()).matches()) {
          problems.add(ENV_BOOTSTRAP + ": '" + server.trim() + "' is not host:port");
        }
      }
    }
    if (!APP_ID.matcher(appId).matches()) {
      problems.add(ENV_APP_ID + ": '" + appId + "' may only contain letters, digits, '.', '_' and '-'");
    }
    if (commitInterval.isNegative()) {
      problems.add(ENV_COMMIT_INTERVAL_MS + " must be >= 0, got " + commitInterval.toMillis());
    }
    if (threads < 1) {
      problems.add(ENV_THREADS + " must be >= 1, got " + threads);
    }
    if (partitions < 1) {
      problems.add(ENV_TOPIC_PARTITIONS + " must be >= 1, got " + partitions);
    }
    if (rf < 1) {
      problems.add(ENV_TOPIC_REPLICATION_FACTOR + " must be >= 1, got " + rf);
    }
    if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
      problems.add(ENV_SHUTDOWN_TIMEOUT_MS + " must be > 0, got " + shutdownTimeout.toMillis());
    }
    if (owned.isEmpty() && feed.isEmpty() && balance.isEmpty() && reactions.isEmpty()) {
      problems.add("no tables to process: " + ENV_OWNED_TABLES + ", " + ENV_FEED_TABLES + ", "
          + ENV_CREDITS_BALANCE_TABLE + " and " + ENV_REACTION_TABLES + " name no valid table");
    }
    if (transactions.isPresent() && balance.isEmpty()) {
      problems.add(ENV_CREDITS_TRANSACTION_TABLE + " needs " + ENV_CREDITS_BALANCE_TABLE
          + " (transactions are joined with balance changes)");
    }
    if (balance.isPresent() && transactions.isPresent()
        && balance.get().table().equals(transactions.get().table())) {
      problems.add(ENV_CREDITS_TRANSACTION_TABLE + ": table " + balance.get().table()
          + " is also the balance table");
    }
    if (!reactions.isEmpty() && feed.isEmpty()) {
      problems.add(ENV_REACTION_TABLES + " needs " + ENV_FEED_TABLES
          + " (reactions are counted per content item of a feed table)");
    }
    final Set<TableId> seenReactions = new HashSet<>();
    for (final ReactionTable t : reactions) {
      if (!seenReactions.add(t.table())) {
        problems.add(ENV_REACTION_TABLES + ": table " + t.table() + " is listed more than once");
      }
      if (feed.stream().anyMatch(f -> f.table().equals(t.table()))) {
        problems.add(ENV_REACTION_TABLES + ": table " + t.table() + " is also a feed table");
      }
    }
    positive(problems, ENV_DEDUP_WINDOW_MS, timings.dedupWindow());
    positive(problems, ENV_CREDITS_WAIT_MS, timings.creditsWait());
    positive(problems, ENV_FEED_COUNTS_INTERVAL_MS, timings.feedCountsInterval());
    positive(problems, ENV_CONTENT_WAIT_MS, timings.contentWait());
    final Set<TableId> seenOwned = new HashSet<>();
    for (final OwnedTable t : owned) {
      if (!seenOwned.add(t.table())) {
        problems.add(ENV_OWNED_TABLES + ": table " + t.table() + " is listed more than once");
      }
    }
    final Set<TableId> seenFeed = new HashSet<>();
    final Set<String> contentTypes = new HashSet<>();
    for (final FeedTable t : feed) {
      if (!seenFeed.add(t.table())) {
        problems.add(ENV_FEED_TABLES + ": table " + t.table() + " is listed more than once");
      }
      if (!contentTypes.add(t.contentType())) {
        problems.add(ENV_FEED_TABLES + ": content type '" + t.contentType()
            + "' is used by more than one table (feed keys would collide)");
      }
    }
    for (final String key : overrides.keySet()) {
      final String own = OWN_SETTINGS.get(key);
      if (own != null) {
        problems.add(ENV_STREAMS_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_')
            + ": '" + key + "' cannot be passed through; " + own);
      }
    }
    return problems;
  }

  private static void positive(final List<String> problems, final String name, final Duration value) {
    if (value.isNegative() || value.isZero()) {
      problems.add(name + " must be > 0, got " + value.toMillis());
    }
  }

  /** Reads variables and records what is wrong instead of stopping at the first problem. */
  private static final class Parser {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    Parser(final Map<String, String> env) {
      this.env = Objects.requireNonNull(env, "env");
    }

    Optional<String> string(final String name) {
      final String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    <T> Optional<T> parse(final String name, final Function<String, T> parser, final String expected) {
      final Optional<String> raw = string(name);
      if (raw.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(parser.apply(raw.get()));
      } catch (NumberFormatException | InvalidPathException e) {
        problems.add(name + " must be " + expected + ", got '" + raw.get() + "'");
        return Optional.empty();
      }
    }

    boolean bool(final String name, final boolean defaultValue) {
      final Optional<String> raw = string(name);
      if (raw.isEmpty()) {
        return defaultValue;
      }
      if (raw.get().equalsIgnoreCase("true") || raw.get().equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(raw.get());
      }
      problems.add(name + " must be true or false, got '" + raw.get() + "'");
      return defaultValue;
    }

    Duration millis(final String name, final Duration defaultValue) {
      return parse(name, Long::parseLong, "an integer (milliseconds)").map(Duration::ofMillis)
          .orElse(defaultValue);
    }

    <T> Optional<T> optional(final String name, final String defaultValue,
        final Function<String, T> parser) {
      final String raw = string(name).orElse(defaultValue);
      if (raw.equalsIgnoreCase(NONE)) {
        return Optional.empty();
      }
      try {
        return Optional.of(parser.apply(raw));
      } catch (IllegalArgumentException e) {
        problems.add(name + ": " + e.getMessage());
        return Optional.empty();
      }
    }

    <T> List<T> list(final String name, final String defaultValue, final Function<String, T> parser) {
      final String raw = string(name).orElse(defaultValue);
      if (raw.equalsIgnoreCase(NONE)) {
        return List.of();
      }
      final List<T> items = new ArrayList<>();
      for (final String entry : raw.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        try {
          items.add(parser.apply(entry.trim()));
        } catch (IllegalArgumentException e) {
          problems.add(name + ": " + e.getMessage());
        }
      }
      return items;
    }
  }
}
