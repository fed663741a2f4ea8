package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.UserEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Joins balance changes with the credit transaction rows that caused them and emits
 * {@code credits.updated} for the user, once per balance change; the rule is
 * {@link PendingCredits}'. Input and output are keyed by user id; both inputs of a user arrive in
 * the same task through repartition topics with the same partition count.
 *
 * <p>State: {@value #STORE}, user id → {@link PendingCredits}, holding only users with something
 * pending (in memory with a changelog; it is small). A wall-clock punctuation every
 * {@code tick} ends the waits that are over.
 *
 * <p>One instance per task, used by its stream thread only.
 */
public final class CreditsJoinProcessor implements Processor<String, CreditsInput, String, UserEvent> {

  /** The state store's name. */
  public static final String STORE = "credits.pending";

  private final Duration wait;
  private final Duration tick;
  private final ProcessorMetrics metrics;
  private final QuietCommits quiet;
  private ProcessorContext<String, UserEvent> context;
  private KeyValueStore<String, PendingCredits> store;

  CreditsJoinProcessor(final Duration wait, final Duration tick, final ProcessorMetrics metrics,
      final QuietCommits quiet) {
    this.wait = Objects.requireNonNull(wait, "wait");
    this.tick = Objects.requireNonNull(tick, "tick");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.quiet = Objects.requireNonNull(quiet, "quiet");
  }

  /** The processor with its store. */
  public static ProcessorSupplier<String, CreditsInput, String, UserEvent> supplier(
      final Duration wait, final Duration tick, final ProcessorMetrics metrics, final QuietCommits quiet) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, CreditsInput, String, UserEvent> get() {
        return new CreditsJoinProcessor(wait, tick, metrics, quiet);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE),
            Serdes.String(), InternalSerde.of(PendingCredits.class)));
      }
    };
  }

  @Override
  public void init(final ProcessorContext<String, UserEvent> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::endWaits);
  }

  @Override
  public void process(final Record<String, CreditsInput> record) {
    quiet.arrived(context, record.timestamp());
    final String user = record.key();
    final PendingCredits pending = current(user);
    final long now = context.currentSystemTimeMs();
    if (record.value() instanceof CreditsInput.BalanceChange change) {
      apply(user, pending, pending.onBalance(change, now));
    } else if (record.value() instanceof CreditsInput.Transaction transaction) {
      apply(user, pending, pending.onTransaction(transaction, now));
    } else {
      throw new IllegalStateException("unexpected credits input " + record.value());
    }
  }

  private void endWaits(final long now) {
    final List<KeyValue<String, PendingCredits>> all = new ArrayList<>();
    try (KeyValueIterator<String, PendingCredits> it = store.all()) {
      it.forEachRemaining(all::add);
    }
    for (final KeyValue<String, PendingCredits> entry : all) {
      apply(entry.key, entry.value, entry.value.onTime(now, wait.toMillis()));
    }
  }

  private PendingCredits current(final String user) {
    final PendingCredits pending = store.get(user);
    return pending == null ? PendingCredits.EMPTY : pending;
  }

  private void apply(final String user, final PendingCredits before, final PendingCredits.Step step) {
    // write only what changed: every write is a changelog record
    if (!step.pending().equals(before)) {
      if (step.pending().isEmpty()) {
        store.delete(user);
      } else {
        store.put(user, step.pending());
      }
    }
    for (int i = 0; i < step.droppedTransactions(); i++) {
      metrics.creditsUnmatched("transaction");
    }
    for (final PendingCredits.Waiting ready : step.ready()) {
      final CreditsInput.BalanceChange change = ready.change();
      final UserEvent event = UserEvent.newBuilder()
          .setId(change.eventId())
          .setUserId(user)
          .setType(BalanceChangeMapper.TYPE)
          .setTs(change.ts())
          .setSource(change.position().toAvro())
          .setData(CreditsUpdated.newBuilder()
              .setBalance(change.balance())
              .setDelta(change.delta())
              .setTransactionId(ready.transaction().map(CreditsInput.Transaction::transactionId).orElse(null))
              .setReason(ready.transaction().flatMap(CreditsInput.Transaction::reason).orElse(null))
              .build())
          .build();
      context.forward(new Record<>(user, event, change.ts()));
      metrics.eventEmitted(BalanceChangeMapper.TYPE);
      if (ready.transaction().isEmpty()) {
        metrics.creditsUnmatched("balance");
      }
    }
  }
}
