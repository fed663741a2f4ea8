package io.tidewire.processor;

import io.tidewire.schemas.Topics;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A schema-qualified PostgreSQL table, e.g. {@code public.generation_jobs}. Immutable.
 *
 * @param schema PostgreSQL schema
 * @param table table name
 */
public record TableId(String schema, String table) {

  /** Unquoted identifiers that also make legal Kafka topic names. */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public TableId {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    if (!IDENTIFIER.matcher(schema).matches() || !IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "not a schema.table of plain identifiers: '" + schema + "." + table + "'");
    }
  }

  /**
   * Parses {@code schema.table}.
   *
   * @throws IllegalArgumentException when the text is not two plain identifiers joined by a dot
   */
  public static TableId parse(final String qualified) {
    final int dot = qualified.indexOf('.');
    if (dot < 0 || dot != qualified.lastIndexOf('.')) {
      throw new IllegalArgumentException("expected schema.table, got '" + qualified + "'");
    }
    return new TableId(qualified.substring(0, dot), qualified.substring(dot + 1));
  }

  /**
   * Checks that a configured column name is a plain identifier.
   *
   * @return the name
   * @throws IllegalArgumentException naming {@code what} when it is not
   */
  static String requireIdentifier(final String name, final String what) {
    Objects.requireNonNull(name, what);
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " is not a plain identifier: '" + name + "'");
    }
    return name;
  }

  /** {@code schema.table}. */
  public String qualified() {
    return schema + "." + table;
  }

  /** The change topic the capture writes for this table, {@code cdc.schema.table}. */
  public String topic() {
    return Topics.cdcName(schema, table);
  }

  @Override
  public String toString() {
    return qualified();
  }
}
