package io.tidewire.processor.internals;

import io.tidewire.processor.TransactionTable;
import java.util.List;
import java.util.Objects;

/**
 * Turns an inserted credit transaction row into a {@link CreditsInput.Transaction} for the credits
 * join, keyed by user. The table is an append-only log: updates, deletes and snapshot reads explain
 * no balance change and yield nothing. Thread-safe (stateless).
 */
public final class CreditTransactionMapper implements ChangeMapper {

  private final TransactionTable table;

  public CreditTransactionMapper(final TransactionTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public List<Routed.ToCredits> map(final ChangeEnvelope change) {
    if (change.op() != Op.CREATE) {
      return List.of();
    }
    final Row row = change.row();
    final String user = row.ownerId(table.userColumn());
    return List.of(new Routed.ToCredits(user, new CreditsInput.Transaction(
        row.requireId(TransactionTable.ID_COLUMN), user, row.requireLong(table.amountColumn()),
        table.reasonColumn().flatMap(row::text), Position.of(change))));
  }
}
