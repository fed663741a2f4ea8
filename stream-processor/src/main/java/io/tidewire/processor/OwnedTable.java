package io.tidewire.processor;

import java.util.Objects;
import java.util.Optional;

/**
 * A user-owned table: each change of one of its rows becomes an event for the user named in
 * {@code ownerColumn}, on {@code realtime.user-events}. Configured as
 * {@code schema.table:ownerColumn[:eventType]}. Immutable.
 *
 * @param table the table
 * @param ownerColumn column holding the owner's user id (text/uuid or integer)
 * @param eventType the event type; a type without a dedicated mapper, or none, yields generic
 *     {@code row.<table>} events carrying the row as JSON
 */
public record OwnedTable(TableId table, String ownerColumn, Optional<String> eventType) {

  public OwnedTable {
    Objects.requireNonNull(table, "table");
    TableId.requireIdentifier(ownerColumn, "owner column");
    Objects.requireNonNull(eventType, "eventType");
  }

  /**
   * Parses one entry of {@code TIDEWIRE_OWNED_TABLES}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static OwnedTable parse(final String entry) {
    final String[] parts = entry.split(":", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "expected schema.table:ownerColumn[:eventType], got '" + entry + "'");
    }
    final Optional<String> type;
    if (parts.length == 3) {
      if (!parts[2].matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("bad event type '" + parts[2] + "' in '" + entry + "'");
      }
      type = Optional.of(parts[2]);
    } else {
      type = Optional.empty();
    }
    return new OwnedTable(TableId.parse(parts[0]), parts[1], type);
  }
}
