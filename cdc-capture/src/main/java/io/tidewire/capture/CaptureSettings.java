package io.tidewire.capture;

import io.tidewire.capture.CaptureConfig.SnapshotMode;
import io.tidewire.schemas.Topics;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Parsers;
import io.tidewire.settings.PassThrough;
import io.tidewire.settings.Setting;
import io.tidewire.settings.SettingGroup;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The capture's environment variables: each declared once, with its parser, checks, default and
 * documentation; {@link CaptureConfig#fromEnv} reads them and the module README's table is
 * rendered from {@link #SETTINGS}.
 */
public final class CaptureSettings {

  private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*");
  private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
  private static final Pattern PUBLICATION = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final String TOPIC_NAME = "a Kafka topic name (A-Z, a-z, 0-9, '.', '_', '-')";

  public static final Setting<String> PG_HOST = Setting.of("TIDEWIRE_PG_HOST", Parsers.text())
      .byDefault("127.0.0.1").doc("PostgreSQL host");
  public static final Setting<Integer> PG_PORT = Setting.of("TIDEWIRE_PG_PORT", Parsers.ints(1, 65_535))
      .byDefault("5432").doc("PostgreSQL port");
  public static final Setting<String> PG_DATABASE = Setting.of("TIDEWIRE_PG_DATABASE", Parsers.text())
      .byDefault("tidewire").doc("database");
  public static final Setting<String> PG_USER = Setting.of("TIDEWIRE_PG_USER", Parsers.text())
      .byDefault("tidewire").doc("user; needs `REPLICATION` and ownership of the tables (publication)");
  public static final Setting<String> PG_PASSWORD = Setting.of("TIDEWIRE_PG_PASSWORD", Parsers.text())
      .byDefault("tidewire").secret().doc("password");
  public static final Setting<List<String>> TABLES = Setting.of("TIDEWIRE_CAPTURE_TABLES",
      Parsers.list(Parsers.matching(TABLE, "lower-case schema.table")))
      .check(tables -> !tables.isEmpty(), "at least one schema.table")
      .byDefault("public.users,public.generation_jobs,public.training_jobs,public.credit_transactions,"
          + "public.videos,public.images,public.likes,public.comments,public.uploads")
      .doc("captured tables, lower-case `schema.table`, comma-separated");
  static final String DEFAULT_PARTITION_BY = "public.users:id,public.generation_jobs:user_id,"
      + "public.training_jobs:user_id,public.credit_transactions:user_id,public.uploads:user_id";
  public static final Setting<List<OwnerColumn>> PARTITION_BY = Setting.of("TIDEWIRE_CAPTURE_PARTITION_BY",
      Parsers.noneOrList(Parsers.from(OwnerColumn::parse)))
      .byDefault(Parsers.list(Parsers.from(OwnerColumn::parse)).parse(DEFAULT_PARTITION_BY),
          "`" + DEFAULT_PARTITION_BY + "` (those of them that are captured)")
      .doc("user-owned captured tables, `schema.table:ownerColumn`, comma-separated, whose changes go to their "
          + "owner's partition so the processor handles a user in one hop; list the owned, balance and credit "
          + "transaction tables of the processor (`TIDEWIRE_OWNED_TABLES`, `TIDEWIRE_CREDITS_BALANCE_TABLE`, `TIDEWIRE_CREDITS_TRANSACTION_TABLE`); a table left out "
          + "still works, one repartition hop slower; `none` for none");
  public static final Setting<String> SLOT_NAME = Setting.of("TIDEWIRE_CAPTURE_SLOT",
      Parsers.matching(SLOT, "1-63 characters of a-z, 0-9 and _"))
      .byDefault("tidewire").doc("replication slot (created if missing)");
  public static final Setting<String> PUBLICATION_NAME = Setting.of("TIDEWIRE_CAPTURE_PUBLICATION",
      Parsers.matching(PUBLICATION,
          "a lower-case SQL identifier (a-z, 0-9, _; not starting with a digit; at most 63 characters)"))
      .byDefault("tidewire").doc("publication (created/reconciled)");
  public static final Setting<String> NAME = Setting.of("TIDEWIRE_CAPTURE_NAME",
      Parsers.matching(KAFKA_NAME, "1-200 characters of A-Z, a-z, 0-9, '.', '_' and '-'"))
      .byDefault("tidewire-capture").doc("engine name, offsets key, client-id prefix");
  public static final Setting<String> OFFSETS_TOPIC = Setting.of("TIDEWIRE_CAPTURE_OFFSETS_TOPIC",
      Parsers.matching(KAFKA_NAME, TOPIC_NAME))
      .byDefault("tidewire.capture.offsets")
      .doc("offsets topic (1 partition, compacted, created by Kafka Connect's store)");
  public static final Setting<String> TOPIC_PREFIX = Setting.of("TIDEWIRE_CAPTURE_TOPIC_PREFIX",
      Parsers.matching(KAFKA_NAME, TOPIC_NAME))
      .byDefault(Topics.CDC_PREFIX)
      .doc("change topics are `<prefix>.<schema>.<table>`, heartbeats `__debezium-heartbeat.<prefix>`");
  public static final Setting<Duration> POLL_INTERVAL = Setting.of("TIDEWIRE_CAPTURE_POLL_INTERVAL_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault("5").doc("Debezium `poll.interval.ms` (see latency)");
  public static final Setting<Duration> HEARTBEAT = Setting.of("TIDEWIRE_CAPTURE_HEARTBEAT_MS",
      Parsers.millis(0, Integer.MAX_VALUE)).byDefault("10000")
      .doc("heartbeat interval, `0` = off; lets the slot advance when captured tables are quiet");
  public static final Setting<SnapshotMode> SNAPSHOT_MODE = Setting.of("TIDEWIRE_CAPTURE_SNAPSHOT_MODE",
      Parsers.oneOf(SnapshotMode.class, SnapshotMode::value)).byDefault(SnapshotMode.INITIAL.value())
      .doc(Arrays.stream(SnapshotMode.values()).map(m -> "`" + m.value() + "`").collect(Collectors.joining(", ")));
  public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.of("TIDEWIRE_CAPTURE_SHUTDOWN_TIMEOUT_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault("30000").doc("upper bound for `close()`");
  public static final Setting<Duration> RESTART_BACKOFF = Setting.of("TIDEWIRE_CAPTURE_RESTART_BACKOFF_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault("1000")
      .doc("delay before restarting an engine that stopped on its own (Kafka or PostgreSQL unreachable);"
          + " doubled after each failure in a row");
  public static final Setting<Duration> RESTART_BACKOFF_MAX = Setting.of("TIDEWIRE_CAPTURE_RESTART_BACKOFF_MAX_MS",
      Parsers.millis(1, Long.MAX_VALUE)).byDefault("60000")
      .doc("upper bound of the restart delay; the capture retries for as long as it runs");
  public static final Setting<Duration> SLOT_LAG_INTERVAL = Setting.of("TIDEWIRE_CAPTURE_SLOT_LAG_INTERVAL_MS",
      Parsers.millis(100, Long.MAX_VALUE)).byDefault("10000")
      .doc("how often the replication slot's lag (`tidewire.capture.slot.lag`) is read from PostgreSQL");
  public static final PassThrough DEBEZIUM = new PassThrough("TIDEWIRE_DEBEZIUM_",
      "any other Debezium property, e.g. `TIDEWIRE_DEBEZIUM_MAX_BATCH_SIZE=4096` → `max.batch.size`");
  public static final PassThrough PRODUCER = new PassThrough("TIDEWIRE_PRODUCER_",
      "any other property of the change producer, e.g. `TIDEWIRE_PRODUCER_LINGER_MS=5`; `security.*`, "
          + "`sasl.*`, `ssl.*` also reach the topic admin client");

  /** Every variable the capture reads, the shared Kafka ones first. */
  public static final SettingGroup SETTINGS = KafkaSettings.SETTINGS.and(SettingGroup.of(
      List.of(PG_HOST, PG_PORT, PG_DATABASE, PG_USER, PG_PASSWORD, TABLES, PARTITION_BY, SLOT_NAME, PUBLICATION_NAME, NAME,
          OFFSETS_TOPIC, TOPIC_PREFIX, POLL_INTERVAL, HEARTBEAT, SNAPSHOT_MODE, SHUTDOWN_TIMEOUT,
          RESTART_BACKOFF, RESTART_BACKOFF_MAX, SLOT_LAG_INTERVAL),
      List.of(DEBEZIUM, PRODUCER)));

  private CaptureSettings() {}
}
