package io.tidewire.processor;

import java.util.Objects;

/**
 * The table that holds each user's credit balance, configured as
 * {@code schema.table:userColumn:balanceColumn} (default {@code public.users:id:credits}). A change
 * of the balance column becomes a {@code credits.updated} event for the user. Immutable.
 *
 * @param table the table
 * @param userColumn column holding the user id (text/uuid or integer)
 * @param balanceColumn integer column holding the balance
 */
public record BalanceTable(TableId table, String userColumn, String balanceColumn) {

  public BalanceTable {
    Objects.requireNonNull(table, "table");
    TableId.requireIdentifier(userColumn, "user column");
    TableId.requireIdentifier(balanceColumn, "balance column");
  }

  /**
   * Parses {@code TIDEWIRE_CREDITS_BALANCE_TABLE}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static BalanceTable parse(final String entry) {
    final String[] parts = entry.split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "expected schema.table:userColumn:balanceColumn, got '" + entry + "'");
    }
    return new BalanceTable(TableId.parse(parts[0]), parts[1], parts[2]);
  }
}
