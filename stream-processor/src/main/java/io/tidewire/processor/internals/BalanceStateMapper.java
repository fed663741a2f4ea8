package io.tidewire.processor.internals;

import io.tidewire.processor.BalanceTable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns changes of the balance table's rows into {@link UserStateInput}s for the user-state fold,
 * keyed by user: the balance after an insert (a new user's starting balance), a snapshot read or
 * an update, and the user's deletion. An update whose before image has the same balance changes
 * no state and yields nothing. The fold also takes the balance from the {@code credits.updated}
 * of the same change (which the credits join may send later, or, with a commit in between, in an
 * earlier transaction); their common LSN makes the second one a no-op. Thread-safe (stateless).
 */
public final class BalanceStateMapper implements ChangeMapper {

  private final BalanceTable table;

  public BalanceStateMapper(final BalanceTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public List<Routed.ToUserState> map(final ChangeEnvelope change) {
    final String user = change.row().ownerId(table.userColumn());
    if (change.op() == Op.DELETE) {
      return List.of(new Routed.ToUserState(user, new UserStateInput.UserDeleted(change.sourceTsMs()),
          List.of()));
    }
    final long balance = change.row().requireLong(table.balanceColumn());
    if (change.op() == Op.UPDATE && change.beforeRow().isPresent()
        && change.beforeRow().get().requireLong(table.balanceColumn()) == balance) {
      return List.of();
    }
    final Optional<Long> lsn = change.lsn().isPresent()
        ? Optional.of(change.lsn().getAsLong()) : Optional.empty();
    return List.of(new Routed.ToUserState(user,
        new UserStateInput.Balance(balance, lsn, change.sourceTsMs()), List.of()));
  }
}
