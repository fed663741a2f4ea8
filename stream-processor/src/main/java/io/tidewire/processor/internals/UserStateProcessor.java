package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Folds each user's balance and unfinished jobs into one {@link UserStateValue}. For every
 * {@link UserChange} it forwards the change's user events ({@link Routed.ToUser}, for
 * {@code realtime.user-events}) and then, if the state changed, the whole new state
 * ({@link Routed.State}, for the compacted {@code realtime.user-state}); a deleted user is removed
 * and forwarded as an empty state (a tombstone). Events and state thus leave in the same
 * exactly-once transaction: a reader that has seen an event can read a state that reflects it.
 * Input and output are keyed by user id; every input of a user reaches this task through
 * repartition topics with the same partition count (or from the credits join in the same task).
 *
 * <p>State: {@value #STORE}, user id → {@link UserStateValue} (persistent, changelogged; one entry
 * per user with a state).
 *
 * <p>One instance per task, used by its stream thread only.
 */
public final class UserStateProcessor implements Processor<String, UserChange, String, Routed> {

  /** The state store's name. */
  public static final String STORE = "user.state";

  private final ProcessorMetrics metrics;
  private final QuietCommits quiet;
  private KeyValueStore<String, UserStateValue> store;
  private ProcessorContext<String, Routed> context;

  UserStateProcessor(final ProcessorMetrics metrics, final QuietCommits quiet) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.quiet = Objects.requireNonNull(quiet, "quiet");
  }

  /** The processor with its store. */
  public static ProcessorSupplier<String, UserChange, String, Routed> supplier(
      final ProcessorMetrics metrics, final QuietCommits quiet) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, UserChange, String, Routed> get() {
        return new UserStateProcessor(metrics, quiet);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
            Serdes.String(), InternalSerde.of(UserStateValue.class)));
      }
    };
  }

  @Override
  public void init(final ProcessorContext<String, Routed> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(final Record<String, UserChange> record) {
    quiet.arrived(context, record.timestamp());
    final String user = record.key();
    final UserStateInput input = record.value().state();
    final long ts = input.ts();
    for (final UserEvent event : record.value().events()) {
      context.forward(new Record<>(user, new Routed.ToUser(user, event), event.getTs()));
    }
    if (input instanceof UserStateInput.UserDeleted) {
      // a tombstone even without a stored state: one record, and the topic is clean should the
      // store have been reset
      store.delete(user);
      context.forward(new Record<>(user, new Routed.State(user, Optional.empty()), ts));
      metrics.userStateWritten("deleted");
      return;
    }
    final UserStateValue before = store.get(user);
    if (before == null && input instanceof UserStateInput.JobEnded) {
      return;
    }
    final UserStateValue after = (before == null ? UserStateValue.EMPTY : before).apply(input);
    if (after.equals(before)) {
      return;
    }
    store.put(user, after);
    context.forward(new Record<>(user, new Routed.State(user, Optional.of(after.toAvro(user))), ts));
    metrics.userStateWritten("updated");
  }
}
