package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.Floor;
import io.tidewire.gateway.recovery.ResumePlan;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * One bounded read a resuming subscription needs from the log, asked for by the session core and
 * performed by a replay worker ({@link Replays#read}), whose {@link ReplayResult} comes back to the
 * core as an input. The channel's topic follows from {@code id().kind()}.
 *
 * <p>Immutable values.
 */
public sealed interface ReplayRead {

  /** The subscription the read is for. */
  SubscriptionId id();

  /**
   * The readable range of the partitions the replay starts from: is it still inside the log?
   * Answered with {@link ReplayResult.Checked}.
   *
   * @param id the subscription
   * @param plan the replay: the client's cursor, and the partitions added since it was issued
   */
  record Check(SubscriptionId id, ResumePlan.Replay plan) implements ReplayRead {
    public Check {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(plan, "plan");
    }

    /** A check of a cursor that names every partition of the channel. */
    public Check(final SubscriptionId id, final Cursor from) {
      this(id, new ResumePlan.Replay(from));
    }

    /** Where the replay starts, in every partition it reads. */
    public Cursor from() {
      return plan.from();
    }
  }

  /**
   * At most one batch of records from {@code from}, of which the worker keeps the events of
   * {@code owner} that pass {@code types}, each encoded with its cursor: {@code floor} moved past
   * the event's record (and every record read before it). Answered with {@link ReplayResult.Read}.
   *
   * @param id the subscription
   * @param owner the user whose events a user channel carries; empty for the feed
   * @param types the subscription's type filter
   * @param epoch the topic incarnation, for the cursors
   * @param floor where the subscription's delivery stands, for the cursors
   * @param from per partition, the offset to read from
   */
  record Batch(SubscriptionId id, Optional<String> owner, TypeFilter types, Uuid epoch, Floor floor,
      Map<Integer, Long> from) implements ReplayRead {
    public Batch {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(types, "types");
      Objects.requireNonNull(epoch, "epoch");
      Objects.requireNonNull(floor, "floor");
      from = Collections.unmodifiableSortedMap(new TreeMap<>(from));
    }

    /** Whether {@code reach} (a read's positions after it) moved past {@code from} anywhere. */
    public boolean movedBy(final Map<Integer, Long> reach) {
      for (final Map.Entry<Integer, Long> position : reach.entrySet()) {
        final Long start = from.get(position.getKey());
        if (start != null && position.getValue() > start) {
          return true;
        }
      }
      return false;
    }
  }
}
