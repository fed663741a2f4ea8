package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.Floor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one channel subscription of one session, from the moment it joined the live tail
 * (the seam): {@link Recovering} while the past is replayed or a snapshot is taken, {@link Live}
 * once caught up, {@link Cancelled} when it ended while a replay read was still out. Only the
 * {@link SessionCore} holds these states; {@link Catchup} moves a recovering one. The transitions
 * are drawn in docs/ARCHITECTURE.md ("The gateway's session core").
 */
public sealed interface Subscription {

  /** The subscription's id. */
  SubscriptionId id();

  /**
   * Delivering live events: each one that passes the type filter and the floor is queued, and moves
   * the floor past it.
   *
   * @param id the subscription
   * @param types the type filter
   * @param floor per partition, the next offset the client needs
   */
  record Live(SubscriptionId id, TypeFilter types, Floor floor) implements Subscription {
    public Live {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(types, "types");
      Objects.requireNonNull(floor, "floor");
    }

    /** This subscription with another floor. */
    Live with(final Floor next) {
      return new Live(id, types, next);
    }
  }

  /**
   * Catching up: live events that pass the type filter wait in {@code buffer} while the
   * {@code phase} runs.
   *
   * @param id the subscription
   * @param terms what the client asked for and where it joined
   * @param phase how far the recovery got
   * @param buffer the live events that arrived meanwhile (the one mutable part of a state, owned by
   *     the core like the state itself)
   */
  record Recovering(SubscriptionId id, Terms terms, Phase phase, LiveBuffer buffer)
      implements Subscription {
    public Recovering {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(terms, "terms");
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(buffer, "buffer");
    }

    /** This subscription in another phase. */
    Recovering with(final Phase next) {
      return new Recovering(id, terms, next, buffer);
    }
  }

  /**
   * Ended while a replay read was out: kept only until that read's result comes back, which then
   * releases the replay's admission.
   *
   * @param id the subscription
   */
  record Cancelled(SubscriptionId id) implements Subscription {
    public Cancelled {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * What the client asked for and where the subscription joined the live tail.
   *
   * @param ref the subscribe request's ref
   * @param channel the channel as the client named it
   * @param types the type filter
   * @param seam the live tail's position when the subscription joined, with the channel's scope
   * @param requested the client's cursor, if any
   * @param later the partitions a replay reads only once the others caught up
   *     ({@link io.tidewire.gateway.recovery.ResumePlan.Replay#later})
   */
  record Terms(String ref, Channel channel, TypeFilter types, Cursor seam,
      Optional<Cursor> requested, Set<Integer> later) {
    public Terms {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(types, "types");
      Objects.requireNonNull(seam, "seam");
      Objects.requireNonNull(requested, "requested");
      later = Set.copyOf(later);
    }
  }

  /** How far a recovery got. */
  sealed interface Phase {}

  /**
   * A replay reads the log's bounds to check that the client's cursor is inside it; nothing was
   * replied yet.
   *
   * @param read the check, out at a worker
   * @param started when the replay started
   */
  record Checking(ReplayRead.Check read, long started) implements Phase {
    public Checking {
      Objects.requireNonNull(read, "read");
    }
  }

  /**
   * The replay runs: {@code subscribed} went out, every wanted event below {@code floor} was
   * queued or waits in {@code outbox} (merged events the queue had no room for yet).
   *
   * @param floor per partition, the next offset the client needs
   * @param outbox events to queue first, in order (at most one batch and one buffer)
   * @param step a read out at a worker, or parked until the queue has room
   * @param started when the replay started
   * @param lastProgress when the replay last moved (a read that got further, room in the queue)
   */
  record Replaying(Floor floor, List<EncodedEvent> outbox, Step step, long started,
      long lastProgress) implements Phase {
    public Replaying {
      Objects.requireNonNull(floor, "floor");
      outbox = List.copyOf(outbox);
      Objects.requireNonNull(step, "step");
    }
  }

  /**
   * Waiting for a snapshot of the user's state: the cursor cannot be resumed from, or there was
   * none and the client asked for its state.
   *
   * @param mark the buffer's {@link LiveBuffer#resets()} when the snapshot was asked for; if it
   *     moved, the snapshot may predate dropped events and a fresher one is taken
   */
  record Snapshotting(int mark) implements Phase {}

  /** What a running replay waits for. */
  sealed interface Step {}

  /**
   * A batch read is out at a worker.
   *
   * @param read the read
   */
  record Reading(ReplayRead.Batch read) implements Step {
    public Reading {
      Objects.requireNonNull(read, "read");
    }
  }

  /**
   * Waiting for room in the queue (or the stall timeout).
   *
   * @param token names this parking; room or stall reports for another are stale
   */
  record Parked(long token) implements Step {}
}
