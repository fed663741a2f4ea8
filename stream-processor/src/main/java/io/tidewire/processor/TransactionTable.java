package io.tidewire.processor;

import java.util.Objects;
import java.util.Optional;

/**
 * The append-only table of credit transactions that explain balance changes, configured as
 * {@code schema.table:userColumn:amountColumn[:reasonColumn]} (default
 * {@code public.credit_transactions:user_id:amount:reason}); the transaction id is the {@code id}
 * column. Inserted rows are joined with the {@link BalanceTable} change of the same user in the
 * same PostgreSQL transaction. Immutable.
 *
 * @param table the table
 * @param userColumn column holding the user id
 * @param amountColumn integer column holding the signed amount
 * @param reasonColumn text column holding the reason, when there is one
 */
public record TransactionTable(TableId table, String userColumn, String amountColumn,
    Optional<String> reasonColumn) {

  /** The transaction id column. */
  public static final String ID_COLUMN = "id";

  public TransactionTable {
    Objects.requireNonNull(table, "table");
    TableId.requireIdentifier(userColumn, "user column");
    TableId.requireIdentifier(amountColumn, "amount column");
    Objects.requireNonNull(reasonColumn, "reasonColumn");
    reasonColumn.ifPresent(c -> TableId.requireIdentifier(c, "reason column"));
  }

  /**
   * Parses {@code TIDEWIRE_CREDITS_TRANSACTION_TABLE}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static TransactionTable parse(final String entry) {
    final String[] parts = entry.split(":", -1);
    if (parts.length < 3 || parts.length > 4) {
      throw new IllegalArgumentException(
          "expected schema.table:userColumn:amountColumn[:reasonColumn], got '" + entry + "'");
    }
    return new TransactionTable(TableId.parse(parts[0]), parts[1], parts[2],
        parts.length == 4 ? Optional.of(parts[3]) : Optional.empty());
  }
}
