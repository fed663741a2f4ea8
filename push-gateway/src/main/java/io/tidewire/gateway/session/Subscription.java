package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.ReplayMerger;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One channel subscription of one session, from the moment it joined the live tail (the seam).
 *
 * <p>It is {@link Mode#LIVE} (each live event that passes the type filter and the offset floor
 * goes to the session's queue), {@link Mode#RECOVERING} (live events are buffered while a replay
 * or a snapshot catches up), or {@link Mode#CANCELLED}. While recovering it holds:
 *
 * <ul>
 *   <li>{@code floor}: per partition, the next offset the client needs; the replay has delivered
 *       (or queued in the outbox) every wanted event below it;
 *   <li>{@code liveFrom}: per partition, the buffer holds every wanted live event at or after it;
 *   <li>the buffer, bounded like the session's queue. When it would overflow, it is dropped and
 *       {@code liveFrom} moves past the dropped events: the replay reads them again from the log,
 *       so a long replay costs time, never memory, and never loses an event;
 *   <li>the outbox: merged events the session's queue had no room for yet (at most one batch plus
 *       one buffer), sent first when the queue drains.
 * </ul>
 *
 * <p>Each {@link #advance} merges a replayed batch and the buffer with {@link ReplayMerger}; once
 * the floor reaches {@code liveFrom} and the outbox is empty the subscription turns live in the
 * same critical section, so no live event can slip in between: no gap, no duplicate.
 *
 * <p>Thread-safe: live events arrive on a tail thread, replay steps on a replay worker, snapshots
 * on the state store's thread. The subscription never calls back into its session while the
 * session's own locks are held by the caller.
 */
public final class Subscription {

  /** The subscription's state. */
  public enum Mode {
    /** Live events are buffered while the past is replayed or a snapshot is taken. */
    RECOVERING,
    /** Live events are delivered. */
    LIVE,
    /** Unsubscribed, replaced, failed or the session closed. */
    CANCELLED
  }

  /** What {@link #advance} achieved. */
  public enum Progress {
    /** Caught up: the subscription is live now; the replay is done. */
    LIVE,
    /** Not caught up yet; read the next batch from {@link #lagging()}. */
    MORE,
    /** The session's queue is full: wait for {@link #whenRoom}, then advance again. */
    BLOCKED,
    /** The subscription was cancelled; stop. */
    CANCELLED
  }

  /** What a subscription needs of its session. Implementations are thread-safe. */
  interface Host {
    /** Queues a reply frame ({@code subscribed}, {@code snapshot}); overflow is a slow consumer. */
    void sendControl(String frame);

    /** Queues a live event; overflow is a slow consumer. */
    void deliverLive(EncodedEvent event);

    /** Queues a replayed event if there is room; never a slow consumer. */
    OutboundQueue.Offer offerReplayed(EncodedEvent event);

    /** Whether the queue has room for a replay to read more (at most half full). */
    boolean hasRoom();

    /** Whether the queue was closed (the session is ending): nothing will be sent any more. */
    boolean isClosed();

    /** Runs {@code waiter} once the queue has room (or closed). */
    void whenRoom(Runnable waiter);

    /** The client's cursor cannot be replayed: finish with {@code recovered: false} (and a snapshot). */
    void unrecoverable(Subscription subscription, ResumePlan.Reason reason);

    /** The subscription could not be recovered; {@code replied} says whether {@code subscribed} went out. */
    void recoveryFailed(Subscription subscription, boolean replied, ErrorCode code, String message);

    /** The replay waited too long for the client to read. */
    void recoveryStalled(Subscription subscription);
  }

  private final Host host;
  private final Channel channel;
  private final String ref;
  private final TypeFilter types;
  private final Optional<String> owner;
  private final Cursor seam;
  private final Optional<Cursor> requested;
  private final int bufferMessages;
  private final long bufferBytesLimit;

  // Guarded by this.
  private Mode mode = Mode.RECOVERING;
  private TreeMap<Integer, Long> floor;
  private LiveFloor liveFloor; // the floor once live: checked for every live event
  private TreeMap<Integer, Long> liveFrom;
  private final ArrayDeque<EncodedEvent> buffer = new ArrayDeque<>();
  private long bufferBytes;
  private int resets;
  private final ArrayDeque<EncodedEvent> outbox = new ArrayDeque<>();
  private boolean replied;

  /**
   * A subscription that has just joined the live tail, recovering until told otherwise.
   *
   * @param host its session
   * @param channel the channel as the client named it
   * @param ref the subscribe request's ref
   * @param types the type filter
   * @param owner the user whose events a user channel carries; empty for the feed
   * @param seam the live tail's position when the subscription joined, with the channel's scope
   * @param requested the client's cursor, if any (same scope)
   * @param bufferMessages bound of the live buffer in events
   * @param bufferBytes bound of the live buffer in bytes
   */
  Subscription(final Host host, final Channel channel, final String ref, final TypeFilter types,
      final Optional<String> owner, final Cursor seam, final Optional<Cursor> requested,
      final int bufferMessages, final long bufferBytes) {
    this.host = Objects.requireNonNull(host, "host");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.ref = Objects.requireNonNull(ref, "ref");
    this.types = Objects.requireNonNull(types, "types");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.seam = Objects.requireNonNull(seam, "seam");
    this.requested = Objects.requireNonNull(requested, "requested");
    this.bufferMessages = bufferMessages;
    this.bufferBytesLimit = bufferBytes;
    this.floor = new TreeMap<>(requested.orElse(seam).offsets());
    this.liveFrom = new TreeMap<>(seam.offsets());
  }

  /** The channel as the client named it. */
  public Channel channel() {
    return channel;
  }

  /** The subscribe request's ref. */
  public String ref() {
    return ref;
  }

  /** Which event types the client wants. */
  public TypeFilter types() {
    return types;
  }

  /** The user whose events this (user) channel carries; empty for the feed. */
  public Optional<String> owner() {
    return owner;
  }

  /** Where the subscription joined the live tail. */
  public Cursor seam() {
    return seam;
  }

  /** The cursor the client resumes from, if it sent one. */
  public Optional<Cursor> requested() {
    return requested;
  }

  /** The current mode. */
  public synchronized Mode mode() {
    return mode;
  }

  /** Whether the subscription was cancelled. */
  public synchronized boolean isCancelled() {
    return mode == Mode.CANCELLED;
  }

  /** How often the live buffer was dropped so far (see {@link #completeUnrecovered}). */
  public synchronized int resets() {
    return resets;
  }

  /** Stops the subscription; buffered and unsent events are dropped. Idempotent. */
  public synchronized void cancel() {
    mode = Mode.CANCELLED;
    buffer.clear();
    bufferBytes = 0;
    outbox.clear();
  }

  /** Starts live at the seam, replying {@code subscribed} with the seam's cursor. */
  synchronized void goLiveAtSeam(final boolean recovered) {
    if (mode != Mode.RECOVERING) {
      return;
    }
    replied = true;
    host.sendControl(FrameEncoder.subscribed(ref, channel.name(), recovered, seam));
    floor = new TreeMap<>(seam.offsets());
    liveFloor = new LiveFloor(floor);
    mode = Mode.LIVE;
  }

  /**
   * A live event from the tail: delivered (live), buffered (recovering) or dropped (filtered,
   * below the floor, cancelled).
   *
   * @return whether the event was queued or buffered
   */
  synchronized boolean onLive(final EncodedEvent event) {
    if (mode == Mode.CANCELLED || !types.accepts(event.type())) {
      return false;
    }
    if (mode == Mode.LIVE) {
      if (!liveFloor.admit(event)) {
        return false;
      }
      host.deliverLive(event);
      return true;
    }
    if (buffer.size() >= bufferMessages || bufferBytes + event.bytes() > bufferBytesLimit) {
      // Too much arrived while recovering: forget the buffer and let the replay read it again.
      for (final EncodedEvent dropped : buffer) {
        liveFrom.merge(dropped.partition(), dropped.offset() + 1, Math::max);
      }
      liveFrom.merge(event.partition(), event.offset() + 1, Math::max);
      buffer.clear();
      bufferBytes = 0;
      resets++;
      return false;
    }
    buffer.add(event);
    bufferBytes += event.bytes();
    return true;
  }

  /**
   * The replay checked that the client's cursor is inside the log: replies {@code subscribed}
   * with {@code recovered: true} and the client's cursor, once.
   */
  public synchronized void recoverable() {
    if (mode != Mode.RECOVERING || replied) {
      return;
    }
    replied = true;
    host.sendControl(FrameEncoder.subscribed(ref, channel.name(), true, requested.orElse(seam)));
  }

  /**
   * The replay found the client's cursor outside the log (retention, or past its end): finish
   * without recovery, with a snapshot for a user channel. Nothing was replayed yet.
   */
  public void unrecoverable(final ResumePlan.Reason reason) {
    synchronized (this) {
      if (mode != Mode.RECOVERING || replied) {
        return;
      }
    }
    host.unrecoverable(this, reason);
  }

  /** Whether {@code subscribed} was sent. */
  public synchronized boolean hasReplied() {
    return replied;
  }

  /**
   * Where the replay reads next: the floor of every partition that has not reached the live
   * buffer yet; empty when caught up (or not recovering).
   */
  public synchronized Map<Integer, Long> lagging() {
    final TreeMap<Integer, Long> from = new TreeMap<>();
    if (mode != Mode.RECOVERING) {
      return from;
    }
    for (final Map.Entry<Integer, Long> entry : liveFrom.entrySet()) {
      final long at = floor.getOrDefault(entry.getKey(), entry.getValue());
      if (at < entry.getValue()) {
        from.put(entry.getKey(), at);
      }
    }
    return from;
  }

  /** The floor as a cursor: where a replayed event's cursor starts from. */
  public synchronized Map<Integer, Long> floor() {
    return mode == Mode.LIVE ? liveFloor.toMap() : new TreeMap<>(floor);
  }

  /** Whether the replay may read another batch now: nothing waits in the outbox and the queue has room. */
  public synchronized boolean mayRead() {
    return mode == Mode.RECOVERING && outbox.isEmpty() && host.hasRoom();
  }

  /**
   * Merges a replayed batch (possibly empty) and the live buffer, queues what it can and turns
   * live once caught up with nothing left to send.
   *
   * @param replayed the batch's events (already filtered by owner and type), in read order
   * @param reach how far the batch read, per partition
   */
  public synchronized Progress advance(final List<EncodedEvent> replayed,
      final Map<Integer, Long> reach) {
    if (mode != Mode.RECOVERING) {
      return mode == Mode.LIVE ? Progress.LIVE : Progress.CANCELLED;
    }
    final ReplayMerger.Merge<EncodedEvent> merge =
        ReplayMerger.merge(floor, replayed, reach, liveFrom, List.copyOf(buffer));
    floor = new TreeMap<>(merge.floor());
    if (merge.caughtUp()) {
      buffer.clear();
      bufferBytes = 0;
    }
    outbox.addAll(merge.deliver());
    while (!outbox.isEmpty()) {
      final OutboundQueue.Offer offer = host.offerReplayed(outbox.peek());
      if (offer == OutboundQueue.Offer.OVERFLOW) {
        return Progress.BLOCKED;
      }
      if (offer == OutboundQueue.Offer.CLOSED) {
        cancel();
        return Progress.CANCELLED;
      }
      outbox.poll();
    }
    if (merge.caughtUp()) {
      mode = Mode.LIVE;
      liveFloor = new LiveFloor(floor);
      liveFrom = new TreeMap<>(floor);
      return Progress.LIVE;
    }
    if (host.hasRoom()) {
      return Progress.MORE;
    }
    if (host.isClosed()) {
      cancel();
      return Progress.CANCELLED;
    }
    return Progress.BLOCKED;
  }

  /** Runs {@code waiter} once the session's queue has room again (or closed). */
  public void whenRoom(final Runnable waiter) {
    host.whenRoom(waiter);
  }

  /**
   * Completes a subscription whose cursor cannot be replayed (or that a snapshot starts): replies
   * {@code subscribed} with {@code recovered: false} and the cursor where the live buffer starts,
   * then the snapshot frame if any, then the buffered events, and turns live.
   *
   * @param resetsMark {@link #resets()} as read before the snapshot's state was fixed
   * @param snapshot builds the snapshot frame for a cursor; empty for no snapshot
   * @return false if the buffer was dropped since {@code resetsMark}: the snapshot may predate
   *     events that were dropped, so the caller must take a new one and call again
   */
  public boolean completeUnrecovered(final int resetsMark,
      final Optional<Function<Cursor, String>> snapshot) {
    synchronized (this) {
      if (mode != Mode.RECOVERING) {
        return true;
      }
      if (resets != resetsMark && snapshot.isPresent()) {
        return false;
      }
      final Cursor at = Cursor.of(seam.epoch(), seam.scope(), liveFrom);
      replied = true;
      host.sendControl(FrameEncoder.subscribed(ref, channel.name(), false, at));
      snapshot.ifPresent(frame -> host.sendControl(frame.apply(at)));
      floor = new TreeMap<>(liveFrom);
      liveFloor = new LiveFloor(floor);
      outbox.clear();
      mode = Mode.LIVE;
      for (final EncodedEvent event : buffer) {
        if (liveFloor.admit(event)) {
          host.deliverLive(event);
        }
      }
      buffer.clear();
      bufferBytes = 0;
      return true;
    }
  }

  /** The recovery failed: the subscription is cancelled and the session told. */
  public void fail(final ErrorCode code, final String message) {
    final boolean wasReplied;
    synchronized (this) {
      if (mode == Mode.CANCELLED) {
        return;
      }
      wasReplied = replied;
      cancel();
    }
    host.recoveryFailed(this, wasReplied, code, message);
  }

  /** The replay waited too long for the client to make room; the session is a slow consumer. */
  public void stalled() {
    synchronized (this) {
      if (mode == Mode.CANCELLED) {
        return;
      }
      cancel();
    }
    host.recoveryStalled(this);
  }

  /**
   * {@link ReplayMerger#admit}'s rule over an array indexed by partition instead of a map: the
   * check every live event makes for every subscriber, without boxing or tree walks. Guarded by
   * the subscription's lock.
   */
  private static final class LiveFloor {
    private static final long ABSENT = -1;
    private final long[] next;

    LiveFloor(final Map<Integer, Long> floor) {
      final int size = floor.isEmpty() ? 0 : floor.keySet().stream().mapToInt(Integer::intValue)
          .max().getAsInt() + 1;
      next = new long[size];
      Arrays.fill(next, ABSENT);
      floor.forEach((partition, offset) -> next[partition] = offset);
    }

    boolean admit(final EncodedEvent event) {
      final int partition = event.partition();
      if (partition < 0 || partition >= next.length || next[partition] == ABSENT
          || event.offset() < next[partition]) {
        return false;
      }
      next[partition] = event.offset() + 1;
      return true;
    }

    TreeMap<Integer, Long> toMap() {
      final TreeMap<Integer, Long> map = new TreeMap<>();
      for (int p = 0; p < next.length; p++) {
        if (next[p] != ABSENT) {
          map.put(p, next[p]);
        }
      }
      return map;
    }
  }
}
