package io.tidewire.processor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds Debezium change envelopes (JSON, schemas disabled) as cdc-capture writes them. */
public final class Envelopes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String op;
  private final String table;
  private final Map<String, Object> before;
  private final Map<String, Object> after;
  private long lsn = 24_023_128L;
  private boolean hasLsn = true;
  private long txId = 780L;
  private long tsMs = 1_700_000_000_000L;

  private Envelopes(final String op, final String table, final Map<String, Object> before,
      final Map<String, Object> after) {
    this.op = op;
    this.table = table;
    this.before = before;
    this.after = after;
  }

  public static Envelopes insert(final String table, final Map<String, Object> after) {
    return new Envelopes("c", table, null, after);
  }

  public static Envelopes update(final String table, final Map<String, Object> before,
      final Map<String, Object> after) {
    return new Envelopes("u", table, before, after);
  }

  public static Envelopes delete(final String table, final Map<String, Object> before) {
    return new Envelopes("d", table, before, null);
  }

  public static Envelopes snapshot(final String table, final Map<String, Object> after) {
    return new Envelopes("r", table, null, after);
  }

  /** A row: alternating column names and values (values may be null), in column order. */
  public static Map<String, Object> row(final Object... columnsAndValues) {
    final Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < columnsAndValues.length; i += 2) {
      row.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
    }
    return row;
  }

  /** The record key {@code {"id":…}}. */
  public static byte[] idKey(final String id) {
    return json(Map.of("id", id));
  }

  public static byte[] json(final Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public Envelopes lsn(final long value) {
    this.lsn = value;
    this.hasLsn = true;
    return this;
  }

  public Envelopes noLsn() {
    this.hasLsn = false;
    return this;
  }

  public Envelopes txId(final long value) {
    this.txId = value;
    return this;
  }

  public Envelopes tsMs(final long value) {
    this.tsMs = value;
    return this;
  }

  public Map<String, Object> asMap() {
    final String[] parts = table.split("\\.");
    final Map<String, Object> source = new LinkedHashMap<>();
    source.put("version", "3.6.1.Final");
    source.put("connector", "postgresql");
    source.put("name", "cdc");
    source.put("ts_ms", tsMs);
    source.put("snapshot", op.equals("r") ? "true" : "false");
    source.put("db", "tidewire");
    source.put("schema", parts[0]);
    source.put("table", parts[1]);
    source.put("txId", txId);
    source.put("lsn", hasLsn ? lsn : null);
    source.put("xmin", null);
    final Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("before", before);
    envelope.put("after", after);
    envelope.put("source", source);
    envelope.put("op", op);
    envelope.put("ts_ms", tsMs + 50);
    return envelope;
  }

  public byte[] bytes() {
    return json(asMap());
  }

  @Override
  public String toString() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }
}
