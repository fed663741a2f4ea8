package io.tidewire.schemas;

import io.tidewire.schemas.avro.ContentAccess;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;

/**
 * The catalogue of Tidewire's topics. Every part names topics through these constants, creates
 * them with their {@link Topic#configs()} ({@link TopicProvisioner}) and finds a key's partition
 * with {@link #partitionOf}.
 */
public final class Topics {

  /** Prefix of the change topics written by the capture: {@code cdc.<schema>.<table>}. */
  public static final String CDC_PREFIX = "cdc";

  /** Per-user events, keyed by the owner's user id. */
  public static final Topic<String, UserEvent> USER_EVENTS =
      new Topic<>("realtime.user-events", Serdes.String(), AvroSerde.of(UserEvent.class));

  /** Public feed events, keyed by {@code contentType:contentId}. */
  public static final Topic<String, FeedEvent> FEED_EVENTS =
      new Topic<>("realtime.feed-events", Serdes.String(), AvroSerde.of(FeedEvent.class));

  /**
   * Changes of public rows (public feed table rows, reactions to public content) as whole rows,
   * keyed by {@code contentType:contentId} like {@link #FEED_EVENTS}: what the gateway serves as
   * Supabase {@code postgres_changes} of public tables.
   */
  public static final Topic<String, PublicRowEvent> PUBLIC_CHANGES =
      new Topic<>("realtime.public-changes", Serdes.String(), AvroSerde.of(PublicRowEvent.class));

  /**
   * Current state per user (balance, unfinished jobs), keyed by user id: the source of the
   * snapshot a client gets when its cursor cannot be replayed. Compacted: one record per user,
   * the latest wins.
   */
  public static final Topic<String, UserState> USER_STATE =
      new Topic<>("realtime.user-state", Serdes.String(), AvroSerde.of(UserState.class),
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));

  /**
   * Who may see each content item (a row of a feed table): its owner and whether it is public,
   * keyed by {@code contentType:contentId} like {@link #FEED_EVENTS}; a tombstone when the row is
   * deleted. Compacted: one record per item, the latest wins. What the gateway authorizes
   * {@code visible} channels (e.g. {@code item:*}) by.
   */
  public static final Topic<String, ContentAccess> CONTENT_ACCESS =
      new Topic<>("realtime.content-access", Serdes.String(), AvroSerde.of(ContentAccess.class),
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));

  /** How long {@link #BROADCAST} keeps a message unless configured otherwise: one hour. */
  public static final long BROADCAST_RETENTION_MS = 3_600_000L;

  /**
   * Client-to-client messages of broadcast channels, keyed by channel (so one channel's messages
   * keep their order), a UTF-8 JSON value each, written and read by the gateways. Only in flight
   * matters: short retention ({@link #BROADCAST_RETENTION_MS}), no history is served from it.
   */
  public static final Topic<String, byte[]> BROADCAST =
      new Topic<>("realtime.broadcast", Serdes.String(), Serdes.ByteArray(),
          Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(BROADCAST_RETENTION_MS)));

  /**
   * Every gateway's presences and leases, written and read by the gateways: key
   * {@code p|<channel>|<gateway>|<ref>} (a presence, tombstoned when it leaves) or
   * {@code g|<gateway>} (the gateway's lease, renewed every few seconds), UTF-8 JSON values.
   * Compacted: the latest record per key, so a gateway starting up reads the current presences.
   */
  public static final Topic<String, byte[]> PRESENCE =
      new Topic<>("realtime.presence", Serdes.String(), Serdes.ByteArray(),
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
              // tombstones of left presences may go after an hour: a gateway reading the topic
              // from its beginning needs only the presences still there
              TopicConfig.DELETE_RETENTION_MS_CONFIG, "3600000",
              TopicConfig.SEGMENT_MS_CONFIG, "3600000"));

  /**
   * Records that could not be processed, byte for byte as they were read, with the reason in
   * headers (see {@link DeadLetterHeaders}).
   */
  public static final Topic<byte[], byte[]> DEAD_LETTER =
      new Topic<>("realtime.dlq", Serdes.ByteArray(), Serdes.ByteArray());

  private Topics() {}

  /**
   * The change topic of one table, as the capture names it.
   *
   * @param schema PostgreSQL schema, e.g. {@code public}
   * @param table table name, e.g. {@code generation_jobs}
   * @return a topic whose key and value are Debezium's JSON (schemas disabled), as raw bytes
   */
  public static Topic<byte[], byte[]> cdc(final String schema, final String table) {
    return bytes(cdcName(schema, table));
  }

  /** The name of {@link #cdc(String, String)}. */
  public static String cdcName(final String schema, final String table) {
    return CDC_PREFIX + "." + schema + "." + table;
  }

  /**
   * A topic of raw bytes with the broker's default configs, by name: a change topic named in
   * configuration, the capture's heartbeat topic.
   */
  public static Topic<byte[], byte[]> bytes(final String name) {
    return new Topic<>(name, Serdes.ByteArray(), Serdes.ByteArray());
  }

  /**
   * The partition Kafka's default partitioner gives the record key {@code key} in a topic of
   * {@code partitions} partitions: murmur2 of its bytes as {@code Serdes.String()} writes them
   * (UTF-8), made positive, modulo the count. Every keyed topic of the catalogue has String keys,
   * and none has a custom partitioner.
   *
   * @throws IllegalArgumentException if {@code partitions} is less than 1
   */
  public static int partitionOf(final String key, final int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a topic has at least one partition: " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
