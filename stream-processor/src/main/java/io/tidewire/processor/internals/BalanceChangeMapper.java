package io.tidewire.processor.internals;

import io.tidewire.processor.BalanceTable;
import java.util.List;
import java.util.Objects;

/**
 * Turns a change of the balance column into a {@link CreditsInput.BalanceChange} for the credits
 * join, keyed by user: an update whose before and after balance differ (delta = after − before).
 * A new user's starting balance (insert) and snapshot reads are state, not a change, and yield
 * nothing (a client reads the balance when it starts); so do deletes and updates without a before
 * image (no delta to tell). Thread-safe (stateless).
 */
public final class BalanceChangeMapper implements ChangeMapper {

  /** The event type the balance change becomes. */
  public static final String TYPE = "credits.updated";

  private final BalanceTable table;

  public BalanceChangeMapper(final BalanceTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public List<Routed.ToCredits> map(final ChangeEnvelope change) {
    if (change.op() != Op.UPDATE || change.beforeRow().isEmpty()) {
      return List.of();
    }
    final long balance = change.row().requireLong(table.balanceColumn());
    final long delta = balance - change.beforeRow().get().requireLong(table.balanceColumn());
    if (delta == 0) {
      return List.of();
    }
    final String user = change.row().ownerId(table.userColumn());
    return List.of(new Routed.ToCredits(user, new CreditsInput.BalanceChange(
        change.eventId(TYPE), user, balance, delta, change.sourceTsMs(), Position.of(change))));
  }
}
