package io.tidewire.processor;

import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Parsers;
import io.tidewire.settings.PassThrough;
import io.tidewire.settings.Setting;
import io.tidewire.settings.SettingGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The stream processor's environment variables: each declared once, with its parser, checks,
 * default and documentation; {@link ProcessorConfig#fromEnv} reads them and the module README's
 * table is rendered from {@link #SETTINGS}.
 */
public final class ProcessorSettings {

  /** Kafka Streams' application id unless {@link #APP_ID} says otherwise. */
  public static final String DEFAULT_APP_ID = "tidewire-processor";
  /**
   * Generation and training jobs, and uploads (file transfer progress, as generic {@code row.uploads}
   * events). {@code users} and {@code credit_transactions} are not owned
   * tables by default: their changes reach the user as {@code credits.updated} (balance, delta,
   * transaction id, reason), and as {@code row.*} events only with {@link #ROW_CHANGES}.
   */
  static final String DEFAULT_OWNED_TABLES = "public.generation_jobs:user_id:generation.progress,"
      + "public.training_jobs:user_id:training.progress,public.uploads:user_id";
  static final String DEFAULT_TRANSACTION_TABLE = "public.credit_transactions:user_id:amount:reason";
  static final String DEFAULT_REACTION_TABLES = "public.likes:like,public.comments:comment";

  private static final Pattern APP_ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]+");

  public static final Setting<String> APP_ID = Setting.of("TIDEWIRE_PROCESSOR_APP_ID",
      Parsers.matching(APP_ID_PATTERN, "letters, digits, '.', '_' and '-'")).byDefault(DEFAULT_APP_ID)
      .doc("Kafka Streams `application.id` (group, transactional id prefix); instances with the same id "
          + "share the work");
  public static final Setting<Path> STATE_DIR = Setting.of("TIDEWIRE_PROCESSOR_STATE_DIR", Parsers.path())
      .byDefault(Path.of(System.getProperty("java.io.tmpdir"), DEFAULT_APP_ID),
          "`<java.io.tmpdir>/" + DEFAULT_APP_ID + "`")
      .doc("Kafka Streams `state.dir`");
  public static final Setting<Duration> COMMIT_INTERVAL = Setting.of("TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS",
      Parsers.millis(0, Long.MAX_VALUE)).byDefault("10").doc("`commit.interval.ms`; see latency below");
  public static final Setting<Duration> QUIET_COMMIT = Setting.of("TIDEWIRE_PROCESSOR_QUIET_COMMIT_MS",
      Parsers.millis(0, Long.MAX_VALUE)).byDefault("0").doc("`0`: commits at the commit interval only; `N`: a "
          + "fresh change that reaches a stream thread after it processed nothing for N ms is also committed at "
          + "once (at most one such commit per interval); see latency below");
  public static final Setting<Integer> THREADS = Setting.of("TIDEWIRE_PROCESSOR_THREADS",
      Parsers.ints(1, Integer.MAX_VALUE)).byDefault("1").doc("`num.stream.threads`");
  public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.of("TIDEWIRE_PROCESSOR_SHUTDOWN_TIMEOUT_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault("30000").doc("how long `close()` waits for Kafka Streams");
  public static final Setting<List<OwnedTable>> OWNED_TABLES = Setting.of("TIDEWIRE_OWNED_TABLES",
      Parsers.noneOrList(Parsers.from(OwnedTable::parse))).byDefault(DEFAULT_OWNED_TABLES)
      .doc("user-owned tables, `schema.table:ownerColumn[:eventType]`, comma-separated; `none` for none");
  public static final Setting<List<FeedTable>> FEED_TABLES = Setting.of("TIDEWIRE_FEED_TABLES",
      Parsers.noneOrList(Parsers.from(FeedTable::parse))).byDefault("public.videos:video,public.images:image")
      .doc("feed tables, `schema.table:contentType`, comma-separated; `none` for none");
  public static final Setting<Optional<BalanceTable>> BALANCE_TABLE = Setting.of(
      "TIDEWIRE_CREDITS_BALANCE_TABLE", Parsers.noneOr(Parsers.from(BalanceTable::parse)))
      .byDefault("public.users:id:credits")
      .doc("`schema.table:userColumn:balanceColumn` whose balance changes become `credits.updated`; `none` for "
          + "none");
  public static final Setting<Optional<TransactionTable>> TRANSACTION_TABLE = Setting.of(
      "TIDEWIRE_CREDITS_TRANSACTION_TABLE", Parsers.noneOr(Parsers.from(TransactionTable::parse)))
      .byDefault(Optional.of(TransactionTable.parse(DEFAULT_TRANSACTION_TABLE)),
          "`" + DEFAULT_TRANSACTION_TABLE + "` (only if there is a balance table)")
      .doc("`schema.table:userColumn:amountColumn[:reasonColumn]`, id column `id`, joined with balance changes; "
          + "`none` for none");
  public static final Setting<List<ReactionTable>> REACTION_TABLES = Setting.of("TIDEWIRE_REACTION_TABLES",
      Parsers.noneOrList(Parsers.from(ReactionTable::parse)))
      .byDefault(Parsers.list(Parsers.from(ReactionTable::parse)).parse(DEFAULT_REACTION_TABLES),
          "`" + DEFAULT_REACTION_TABLES + "` (only if there are feed tables)")
      .doc("`schema.table:like|comment`, counted in `feed.counts` and notified; `none` for none");
  public static final Setting<Duration> CREDITS_WAIT = Setting.of("TIDEWIRE_PROCESSOR_CREDITS_WAIT_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault(Long.toString(Timings.DEFAULT_CREDITS_WAIT_MS))
      .doc("how long a balance change waits for its transaction row (and a row for its change), wall clock");
  public static final Setting<Duration> FEED_COUNTS_INTERVAL = Setting.of(
      "TIDEWIRE_PROCESSOR_FEED_COUNTS_INTERVAL_MS", Parsers.millis(1, Long.MAX_VALUE))
      .byDefault(Long.toString(Timings.DEFAULT_FEED_COUNTS_INTERVAL_MS))
      .doc("least time between two `feed.counts` of one content item, wall clock");
  public static final Setting<Duration> CONTENT_WAIT = Setting.of("TIDEWIRE_PROCESSOR_CONTENT_WAIT_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault(Long.toString(Timings.DEFAULT_CONTENT_WAIT_MS))
      .doc("how long reactions to content without a row (and markers of deleted content) are kept");
  public static final Setting<Duration> DEDUP_WINDOW = Setting.of("TIDEWIRE_PROCESSOR_DEDUP_WINDOW_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault(Long.toString(Timings.DEFAULT_DEDUP_WINDOW_MS))
      .doc("how much commit time of processed change ids is remembered to drop redeliveries");
  public static final Setting<Boolean> USER_STATE = Setting.of("TIDEWIRE_PROCESSOR_USER_STATE", Parsers.bools())
      .byDefault("true").doc("`true`/`false`: write each user's state to the compacted `realtime.user-state`");
  public static final Setting<Boolean> ROW_CHANGES = Setting.of("TIDEWIRE_PROCESSOR_ROW_CHANGES", Parsers.bools())
      .byDefault("true").doc("`true`/`false`: every change of every owned, balance and credit transaction table "
          + "also as a `row.<table>` user event (whole rows, before and after), and changes of public rows on "
          + "`realtime.public-changes` (for Supabase `postgres_changes`); `false`: `row.<table>` only for owned "
          + "tables without an event type, nothing on `realtime.public-changes`");
  public static final PassThrough STREAMS = new PassThrough("TIDEWIRE_KAFKA_STREAMS_",
      "any other Kafka Streams setting (`TIDEWIRE_KAFKA_STREAMS_NUM_STANDBY_REPLICAS=1`, "
          + "`..._PRODUCER_LINGER_MS=5`, `..._MAIN_CONSUMER_GROUP_INSTANCE_ID=…`); the admin client used for "
          + "topic creation gets the admin-relevant ones and `admin.*`");

  /** Every variable the processor reads, the shared Kafka ones first. */
  public static final SettingGroup SETTINGS = KafkaSettings.SETTINGS.and(SettingGroup.of(
      List.of(APP_ID, STATE_DIR, COMMIT_INTERVAL, QUIET_COMMIT, THREADS, SHUTDOWN_TIMEOUT, OWNED_TABLES, FEED_TABLES,
          BALANCE_TABLE, TRANSACTION_TABLE, REACTION_TABLES, CREDITS_WAIT, FEED_COUNTS_INTERVAL, CONTENT_WAIT,
          DEDUP_WINDOW, USER_STATE, ROW_CHANGES),
      List.of(STREAMS)));

  private ProcessorSettings() {}
}
