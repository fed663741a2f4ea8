package io.tidewire.capture;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A captured table whose changes go to the partition of their owner: {@code schema.table:column},
 * the column holding the owning user's id (text or integer).
 *
 * @param table lower-case {@code schema.table}
 * @param column the owner column, as Debezium names it in the row images
 */
public record OwnerColumn(String table, String column) {

  private static final Pattern FORM = Pattern.compile("([a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*)");

  public OwnerColumn {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
  }

  /**
   * @param text {@code schema.table:column}
   * @throws IllegalArgumentException naming the expected form
   */
  public static OwnerColumn parse(final String text) {
    final var m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("must be schema.table:ownerColumn (lower-case table), was '" + text + "'");
    }
    return new OwnerColumn(m.group(1), m.group(2));
  }

  @Override
  public String toString() {
    return table + ":" + column;
  }
}
