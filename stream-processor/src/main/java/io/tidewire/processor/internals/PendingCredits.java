package io.tidewire.processor.internals;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the credits join holds for one user (its state store value), and the join rule as pure
 * functions over it. Immutable; every step returns a new value.
 *
 * <p>The rule: a balance change is paired with a credit transaction row of the same user written
 * in the same PostgreSQL transaction (equal {@code source.txId}). When several rows of that
 * transaction are candidates, one whose amount equals the delta is taken at once (the lowest LSN
 * first); a candidate with another amount (a clamped balance, say) is taken only when the wait is
 * over, lowest LSN first. Without any candidate by then, the change goes out alone. Balance changes
 * of one user go out in the order they happened (the order of the user's partition), so a change
 * that is still waiting holds back the later ones, at most for the wait. Transaction rows wait as
 * long, then are dropped: one that explains no balance change is not an event.
 *
 * @param balances balance changes not sent yet, oldest first
 * @param transactions transaction rows not paired yet, in arrival order
 */
public record PendingCredits(List<Waiting> balances, List<WaitingTransaction> transactions) {

  /** Nothing pending. */
  public static final PendingCredits EMPTY = new PendingCredits(List.of(), List.of());

  public PendingCredits {
    balances = List.copyOf(balances);
    transactions = List.copyOf(transactions);
  }

  /**
   * A balance change and what it was paired with.
   *
   * @param change the change
   * @param arrivedMs wall-clock time it reached the join
   * @param resolved true once it may go out (paired, or its wait is over)
   * @param transaction the transaction row it was paired with
   */
  public record Waiting(CreditsInput.BalanceChange change, long arrivedMs, boolean resolved,
      Optional<CreditsInput.Transaction> transaction) {
    public Waiting {
      Objects.requireNonNull(change, "change");
      Objects.requireNonNull(transaction, "transaction");
    }

    Waiting pairedWith(final Optional<CreditsInput.Transaction> t) {
      return new Waiting(change, arrivedMs, true, t);
    }
  }

  /**
   * A transaction row waiting for its balance change.
   *
   * @param transaction the row
   * @param arrivedMs wall-clock time it reached the join
   */
  public record WaitingTransaction(CreditsInput.Transaction transaction, long arrivedMs) {
    public WaitingTransaction {
      Objects.requireNonNull(transaction, "transaction");
    }
  }

  /**
   * The outcome of one step.
   *
   * @param pending what is left
   * @param ready balance changes to send now, in order
   * @param droppedTransactions transaction rows given up on in this step
   */
  public record Step(PendingCredits pending, List<Waiting> ready, int droppedTransactions) {}

  /** True when nothing is pending (the store entry can go). */
  @JsonIgnore
  public boolean isEmpty() {
    return balances.isEmpty() && transactions.isEmpty();
  }

  /** A balance change arrived at {@code now}. */
  public Step onBalance(final CreditsInput.BalanceChange change, final long now) {
    final List<WaitingTransaction> txs = new ArrayList<>(transactions);
    final List<Waiting> bals = new ArrayList<>(balances);
    final Waiting waiting = new Waiting(change, now, false, Optional.empty());
    if (change.position().txId().isEmpty()) {
      bals.add(waiting.pairedWith(Optional.empty()));
    } else {
      final Optional<WaitingTransaction> exact = txs.stream()
          .filter(t -> sameTx(t.transaction(), change) && t.transaction().amount() == change.delta())
          .min(BY_LSN);
      exact.ifPresent(txs::remove);
      bals.add(exact.isPresent() ? waiting.pairedWith(Optional.of(exact.get().transaction())) : waiting);
    }
    return flush(bals, txs, 0);
  }

  /** A transaction row arrived at {@code now}. */
  public Step onTransaction(final CreditsInput.Transaction transaction, final long now) {
    final List<WaitingTransaction> txs = new ArrayList<>(transactions);
    final List<Waiting> bals = new ArrayList<>(balances);
    if (transaction.position().txId().isEmpty()) {
      return flush(bals, txs, 1);
    }
    for (int i = 0; i < bals.size(); i++) {
      final Waiting b = bals.get(i);
      if (!b.resolved() && sameTx(transaction, b.change()) && transaction.amount() == b.change().delta()) {
        bals.set(i, b.pairedWith(Optional.of(transaction)));
        return flush(bals, txs, 0);
      }
    }
    txs.add(new WaitingTransaction(transaction, now));
    return flush(bals, txs, 0);
  }

  /** Wall-clock time is {@code now}: ends the waits that are over. */
  public Step onTime(final long now, final long waitMs) {
    final List<WaitingTransaction> txs = new ArrayList<>(transactions);
    final List<Waiting> bals = new ArrayList<>(balances);
    for (int i = 0; i < bals.size(); i++) {
      final Waiting b = bals.get(i);
      if (!b.resolved() && b.arrivedMs() + waitMs <= now) {
        final Optional<WaitingTransaction> any = txs.stream()
            .filter(t -> sameTx(t.transaction(), b.change()))
            .min(BY_LSN);
        any.ifPresent(txs::remove);
        bals.set(i, b.pairedWith(any.map(WaitingTransaction::transaction)));
      }
    }
    final int before = txs.size();
    txs.removeIf(t -> t.arrivedMs() + waitMs <= now);
    return flush(bals, txs, before - txs.size());
  }

  private static final Comparator<WaitingTransaction> BY_LSN = Comparator.comparing(
      t -> t.transaction().position().lsn().orElse(Long.MAX_VALUE));

  private static boolean sameTx(final CreditsInput.Transaction t, final CreditsInput.BalanceChange b) {
    return t.position().txId().isPresent() && t.position().txId().equals(b.position().txId());
  }

  private static Step flush(final List<Waiting> bals, final List<WaitingTransaction> txs,
      final int dropped) {
    int ready = 0;
    while (ready < bals.size() && bals.get(ready).resolved()) {
      ready++;
    }
    return new Step(new PendingCredits(bals.subList(ready, bals.size()), txs),
        List.copyOf(bals.subList(0, ready)), dropped);
  }
}
