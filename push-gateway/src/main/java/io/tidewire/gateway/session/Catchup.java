package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.gateway.recovery.Floor;
import io.tidewire.gateway.recovery.ReplayMerger;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.gateway.session.Effect.Flow;
import io.tidewire.gateway.session.Effect.Timer;
import io.tidewire.gateway.session.Subscription.Checking;
import io.tidewire.gateway.session.Subscription.Live;
import io.tidewire.gateway.session.Subscription.Parked;
import io.tidewire.gateway.session.Subscription.Reading;
import io.tidewire.gateway.session.Subscription.Recovering;
import io.tidewire.gateway.session.Subscription.Replaying;
import io.tidewire.gateway.session.Subscription.Snapshotting;
import io.tidewire.schemas.avro.UserState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a subscription gets from the seam to live: each step takes a {@link Recovering} state and an
 * input, appends its effects and says where the subscription goes next. It checks the client's
 * cursor against the log, replies, replays batch by batch merged with the live buffer by
 * {@link ReplayMerger} and sized to the send queue's {@link QueueRoom room}, parks until the client
 * reads, or finishes without recovery (a snapshot for a user channel, also when a subscribe
 * without a cursor asked for one). What an end means for the session (the subscription map,
 * ending the connection) is the {@link SessionCore}'s.
 *
 * <p>Not thread-safe: owned by one {@link SessionCore}.
 */
final class Catchup {

  /** Where a step leaves the subscription. */
  sealed interface Next {}

  /**
   * It goes on.
   *
   * @param state {@link Recovering} or {@link Live}
   */
  record Stay(Subscription state) implements Next {}

  /**
   * It ended; leaving the hub and releasing a replay's admission are among the step's effects.
   *
   * @param failure why, if the recovery failed
   */
  record End(Optional<Failure> failure) implements Next {}

  /**
   * A failed recovery.
   *
   * @param message what went wrong
   * @param replied whether {@code subscribed} went out (the client may have part of the replay)
   */
  record Failure(String message, boolean replied) {}

  private final String userId;
  private final SessionCore.Limits limits;
  private long parkings;

  Catchup(final String userId, final SessionCore.Limits limits) {
    this.userId = userId;
    this.limits = limits;
  }

  /** Starts a subscription that joined at {@code seam}, as {@code plan} says. */
  Next start(final ClientFrame.Subscribe request, final SubscriptionId id, final Cursor seam,
      final ResumePlan plan, final long now, final List<Effect> out) {
    if (plan instanceof ResumePlan.Live live) {
      out.add(new Effect.Send(new Reply.Subscribed(request.ref(), request.channel(), live.recovered(), seam)));
      return new Stay(new Live(id, request.types(), Floor.of(seam.offsets())));
    }
    final Recovering recovering = new Recovering(id, new Subscription.Terms(request.ref(),
        request.channel(), request.types(), seam, request.cursor(),
        plan instanceof ResumePlan.Replay replay ? replay.later() : Set.of()), new Snapshotting(0),
        new LiveBuffer(Floor.of(seam.offsets()), limits.bufferMessages(), limits.bufferBytes()));
    if (plan instanceof ResumePlan.Replay replay) {
      final ReplayRead.Check check = new ReplayRead.Check(id, replay);
      out.add(new Effect.StartReplay(check));
      return new Stay(recovering.with(new Checking(check, now)));
    }
    if (plan instanceof ResumePlan.Snapshot) {
      return takeSnapshot(recovering, out);
    }
    return unrecoverable(recovering, ((ResumePlan.Unrecoverable) plan).reason(), out);
  }

  /** The answer to the cursor's check against the log. */
  Next checked(final Recovering recovering, final Checking checking, final ReplayResult result,
      final long now, final List<Effect> out) {
    final SubscriptionId id = recovering.id();
    if (result instanceof ReplayResult.Checked checked) {
      final Cursor from = checking.read().from();
      final Optional<ResumePlan.Reason> outside = checking.read().plan().outside(checked.bounds(),
          limits.maxScanRecords());
      if (outside.isPresent()) {
        out.add(ended(id, Replays.Outcome.UNRECOVERABLE));
        return unrecoverable(recovering, outside.get(), out);
      }
      // The cursor's partitions the seam does not name (a user's partition before partitions were
      // added): the replay reads them up to their end as just read, the live buffer has every
      // event of the channel since the seam, hence every one from that end on.
      final Map<Integer, Long> ends = new TreeMap<>();
      for (final int partition : from.offsets().keySet()) {
        if (!recovering.terms().seam().offsets().containsKey(partition)) {
          ends.put(partition, checked.bounds().get(partition).end());
        }
      }
      recovering.buffer().include(ends);
      out.add(new Effect.Send(new Reply.Subscribed(recovering.terms().ref(),
          recovering.terms().channel(), true, from)));
      // The queue's room was read before that reply: wait for room (at once, usually) before the
      // replay sizes its first events to it.
      return park(recovering, new Replaying(Floor.of(from.offsets()), List.of(), new Parked(0),
          checking.started(), now), out);
    }
    if (result instanceof ReplayResult.Truncated) {
      out.add(ended(id, Replays.Outcome.UNRECOVERABLE));
      return unrecoverable(recovering, ResumePlan.Reason.RETENTION, out);
    }
    return retryOrFail(recovering, (ReplayResult.Failed) result, checking.read(), checking.started(),
        now, out);
  }

  /** The answer to a batch read. */
  Next read(final Recovering recovering, final Replaying replaying, final ReplayRead.Batch read,
      final ReplayResult result, final QueueRoom room, final long now, final List<Effect> out) {
    if (result instanceof ReplayResult.Read batch) {
      final long progress = read.movedBy(batch.reach()) ? now : replaying.lastProgress();
      return advance(recovering, new Replaying(replaying.floor(), replaying.outbox(), replaying.step(),
          replaying.started(), progress), batch.events(), batch.reach(), room, now, out);
    }
    if (result instanceof ReplayResult.Truncated) {
      return fail(recovering,
          "events after the cursor were deleted by retention during the replay", out);
    }
    return retryOrFail(recovering, (ReplayResult.Failed) result, read, replaying.lastProgress(),
        now, out);
  }

  /** The send queue has room for the parked replay. */
  Next room(final Recovering recovering, final Replaying replaying, final QueueRoom room,
      final long now, final List<Effect> out) {
    final Parked parked = (Parked) replaying.step();
    out.add(new Effect.Cancel(new Timer.Stall(recovering.id(), parked.token())));
    return advance(recovering, new Replaying(replaying.floor(), replaying.outbox(), parked,
        replaying.started(), now), List.of(), Map.of(), room, now, out);
  }

  /** The snapshot asked for: complete with it, or take a fresher one if the buffer was dropped. */
  Next snapshot(final Recovering recovering, final Snapshotting snapshotting,
      final Optional<UserState> state, final List<Effect> out) {
    final int resets = recovering.buffer().resets();
    if (resets != snapshotting.mark()) {
      // The snapshot may predate dropped events: a fresher one.
      out.add(new Effect.TakeSnapshot(recovering.id()));
      return new Stay(recovering.with(new Snapshotting(resets)));
    }
    return complete(recovering, Optional.of(state.orElseGet(() -> UserState.newBuilder()
        .setUserId(userId).setBalance(null).setActiveJobs(List.of()).setUpdatedAt(0L).build())), out);
  }

  /** The recovery fails. */
  Next fail(final Recovering recovering, final String message, final List<Effect> out) {
    final SubscriptionId id = recovering.id();
    out.add(new Effect.Leave(id));
    final boolean replied = recovering.phase() instanceof Replaying;
    if (replied || recovering.phase() instanceof Checking) {
      out.add(ended(id, Replays.Outcome.FAILED));
    }
    return new End(Optional.of(new Failure(message, replied)));
  }

  /**
   * Stops the recovery: a replay parked for room releases its admission now.
   *
   * @return whether a read is still out at a worker (its result will release the admission)
   */
  boolean cancel(final Recovering recovering, final List<Effect> out) {
    if (recovering.phase() instanceof Replaying replaying && replaying.step() instanceof Parked parked) {
      out.add(new Effect.Cancel(new Timer.Stall(recovering.id(), parked.token())));
      out.add(ended(recovering.id(), Replays.Outcome.CANCELLED));
      return false;
    }
    return !(recovering.phase() instanceof Snapshotting);
  }

  /** The end of an admitted replay; only one that caught up says how long it took. */
  static Effect ended(final SubscriptionId id, final Replays.Outcome outcome) {
    return new Effect.EndReplay(id, outcome, Duration.ZERO);
  }

  private Next retryOrFail(final Recovering recovering, final ReplayResult.Failed failed,
      final ReplayRead read, final long lastProgress, final long now, final List<Effect> out) {
    if (!failed.retriable()) {
      return fail(recovering, failed.message(), out);
    }
    if (stalled(lastProgress, now)) {
      return fail(recovering, "cannot read the log: " + failed.message(), out);
    }
    out.add(new Effect.Read(read));
    return new Stay(recovering);
  }

  /**
   * Merges a replayed batch (possibly empty) with the live buffer, queues what the queue takes and
   * then turns live, reads the next batch, or parks until the queue has room.
   */
  private Next advance(final Recovering recovering, final Replaying replaying,
      final List<EncodedEvent> replayed, final Map<Integer, Long> reach, final QueueRoom room,
      final long now, final List<Effect> out) {
    final SubscriptionId id = recovering.id();
    final LiveBuffer buffer = recovering.buffer();
    final ReplayMerger.Merge<EncodedEvent> merge = ReplayMerger.merge(replaying.floor(), replayed,
        reach, buffer.liveFrom(), buffer.events());
    if (merge.caughtUp()) {
      buffer.clear();
    }
    final List<EncodedEvent> outbox = new ArrayList<>(replaying.outbox());
    outbox.addAll(merge.deliver());
    QueueRoom left = room;
    int sent = 0;
    while (sent < outbox.size() && left.accepts(outbox.get(sent).bytes())) {
      out.add(new Effect.Deliver(outbox.get(sent), Flow.REPLAYED));
      left = left.with(outbox.get(sent).bytes());
      sent++;
    }
    final Replaying next = new Replaying(merge.floor(), outbox.subList(sent, outbox.size()),
        replaying.step(), replaying.started(), replaying.lastProgress());
    if (left.closed()) {
      // The session is ending: the replay stops (unless it has just finished).
      if (next.outbox().isEmpty() && merge.caughtUp()) {
        return live(recovering, next, now, out);
      }
      out.add(new Effect.Leave(id));
      out.add(ended(id, Replays.Outcome.CANCELLED));
      return new End(Optional.empty());
    }
    if (!next.outbox().isEmpty()) {
      return park(recovering, next, out);
    }
    if (merge.caughtUp()) {
      return live(recovering, next, now, out);
    }
    if (!left.hasRoom()) {
      return park(recovering, next, out);
    }
    final SortedMap<Integer, Long> from = ResumePlan.readFirst(merge.floor().below(buffer.liveFrom()),
        recovering.terms().later());
    if (from.isEmpty() || stalled(next.lastProgress(), now)) {
      return fail(recovering, "the replay made no progress", out);
    }
    final ReplayRead.Batch read = new ReplayRead.Batch(id,
        id.kind() == Kind.USER ? Optional.of(userId) : Optional.empty(), recovering.terms().types(),
        recovering.terms().seam().epoch(), merge.floor(), from);
    out.add(new Effect.Read(read));
    return new Stay(recovering.with(new Replaying(next.floor(), List.of(), new Reading(read),
        next.started(), next.lastProgress())));
  }

  private Next live(final Recovering recovering, final Replaying replaying, final long now,
      final List<Effect> out) {
    out.add(new Effect.EndReplay(recovering.id(), Replays.Outcome.LIVE,
        Duration.ofNanos(Math.max(0, now - replaying.started()))));
    return new Stay(new Live(recovering.id(), recovering.terms().types(), replaying.floor()));
  }

  private Next park(final Recovering recovering, final Replaying replaying, final List<Effect> out) {
    final long token = ++parkings;
    out.add(new Effect.Schedule(new Timer.Stall(recovering.id(), token), limits.recoveryTimeout()));
    out.add(new Effect.AwaitRoom(recovering.id(), token));
    return new Stay(recovering.with(new Replaying(replaying.floor(), replaying.outbox(),
        new Parked(token), replaying.started(), replaying.lastProgress())));
  }

  /**
   * The client's cursor cannot be resumed from: the feed goes live at once, a user channel waits
   * for a snapshot of the user's state.
   */
  private Next unrecoverable(final Recovering recovering, final ResumePlan.Reason reason,
      final List<Effect> out) {
    out.add(new Effect.Unrecoverable(reason));
    if (recovering.id().kind() == Kind.FEED) {
      return complete(recovering, Optional.empty(), out);
    }
    return takeSnapshot(recovering, out);
  }

  /**
   * A user channel without a position to continue from (an unrecoverable cursor, or none and the
   * client asked for its state) waits for a snapshot of the user's state, taken after the seam.
   */
  private Next takeSnapshot(final Recovering recovering, final List<Effect> out) {
    // The mark is read before the snapshot is asked for, so before its state is fixed.
    out.add(new Effect.TakeSnapshot(recovering.id()));
    return new Stay(recovering.with(new Snapshotting(recovering.buffer().resets())));
  }

  /**
   * Finishes a subscription without recovery: {@code subscribed} with {@code recovered: false} and
   * the cursor where the live buffer starts, the snapshot if any, then the buffered events, live.
   */
  private Next complete(final Recovering recovering, final Optional<UserState> snapshot,
      final List<Effect> out) {
    final Subscription.Terms terms = recovering.terms();
    final LiveBuffer buffer = recovering.buffer();
    final Cursor at = Cursor.of(terms.seam().epoch(), terms.seam().scope(), buffer.liveFrom().toMap());
    out.add(new Effect.Send(new Reply.Subscribed(terms.ref(), terms.channel(), false, at)));
    snapshot.ifPresent(data -> out.add(new Effect.Send(
        new Reply.Snapshot(recovering.id().kind(), at, data))));
    Floor floor = buffer.liveFrom();
    for (final EncodedEvent event : buffer.events()) {
      if (floor.admits(event)) {
        floor = floor.past(event);
        out.add(new Effect.Deliver(event, Flow.LIVE));
      }
    }
    buffer.clear();
    return new Stay(new Live(recovering.id(), terms.types(), floor));
  }

  private boolean stalled(final long lastProgress, final long now) {
    return now - lastProgress > limits.recoveryTimeout().toNanos();
  }
}
