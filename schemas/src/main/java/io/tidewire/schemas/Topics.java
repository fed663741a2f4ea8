package io.tidewire.schemas;

import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import org.apache.kafka.common.serialization.Serdes;

/** The catalogue of Tidewire's topics. Every part names topics through these constants. */
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
   * Current state per user (balance, unfinished jobs), compacted, keyed by user id: the source
   * of the snapshot a client gets when its cursor cannot be replayed.
   */
  public static final Topic<String, UserState> USER_STATE =
      new Topic<>("realtime.user-state", Serdes.String(), AvroSerde.of(UserState.class));

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
    return new Topic<>(cdcName(schema, table), Serdes.ByteArray(), Serdes.ByteArray());
  }

  /** The name of {@link #cdc(String, String)}. */
  public static String cdcName(final String schema, final String table) {
    return CDC_PREFIX + "." + schema + "." + table;
  }
}
