package io.tidewire.gateway.recovery;

import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a subscription starts, decided at the moment it joins the live tail (the seam) from the
 * cursor the client sent, if any, and the seam's position. Pure.
 *
 * <p>Whether a replayable cursor is still inside the log (retention may have deleted it) is not
 * known at the seam; the replay reads the log's bounds first thing and {@link Replay#outside} may
 * still make it {@link Unrecoverable}.
 *
 * <p><b>Partitions added since the cursor was issued.</b> A cursor names the partitions its channel
 * had then: a user cursor the partition the user's key hashed to, a feed cursor every partition.
 * When partitions were added since, the channel now also has partitions the cursor does not name
 * (the user's key may hash to a new one; the feed has more), and every record in them was written
 * after the cursor's partitions were the whole channel. The replay then starts those partitions
 * at their beginning (offset 0), which is exact as long as retention deleted nothing of them
 * ({@link Reason#ADDED_PARTITION_TRUNCATED} otherwise), and keeps the cursor's partitions
 * too: a user's events before the increase are in the old partition, after it in the new one.
 * The partitions the client has received nothing from ({@link Replay#later}) are read only after
 * the others, so a key's events written to its old partition before its producer switched come
 * before those written to its new partition. A cursor naming a partition the channel does not
 * have (a topic recreated smaller: another epoch, or a forged feed cursor) is refused.
 */
public sealed interface ResumePlan {

  /** Why a cursor cannot be replayed. */
  enum Reason {
    /** The cursor's epoch is another incarnation of the topic (deleted and recreated). */
    OTHER_EPOCH("the topic was recreated since the cursor was issued"),
    /** The cursor belongs to another channel (another user's, or the feed's). */
    OTHER_CHANNEL("the cursor belongs to another channel"),
    /** The cursor names partitions the topic does not have. */
    PARTITIONS_CHANGED("the cursor names partitions the topic does not have"),
    /** Retention deleted records of a partition added since the cursor was issued. */
    ADDED_PARTITION_TRUNCATED(
        "a partition added since the cursor was issued no longer starts at its beginning (retention)"),
    /** Retention deleted records after the cursor. */
    RETENTION("the events after the cursor were deleted by retention"),
    /** The cursor points past the end of the log. */
    AHEAD_OF_LOG("the cursor points past the end of the log"),
    /** More records lie between the cursor and the log's end than a resume may scan. */
    SCAN_LIMIT("more records after the cursor than a resume may scan"),
    /** The cursor is of the unsigned format written before cursors carried a MAC. */
    UNSIGNED("the cursor is of an older, unsigned format");

    private final String message;

    Reason(final String message) {
      this.message = message;
    }

    /** For logs and people. */
    public String message() {
      return message;
    }
  }

  /**
   * Start live at the seam, nothing to replay.
   *
   * @param recovered whether the client's cursor was exactly the seam (it missed nothing)
   */
  record Live(boolean recovered) implements ResumePlan {}

  /**
   * No cursor, and the client asked for its state ({@code "snapshot": true}, user channel):
   * {@code recovered: false}, a snapshot taken after the seam, then live — the same path as an
   * unrecoverable cursor, without a cursor to blame.
   */
  record Snapshot() implements ResumePlan {}

  /**
   * Replay from {@code from}, then go live.
   *
   * @param from where the replay starts: the client's cursor, plus the channel's partitions it
   *     does not name (added since it was issued) at offset 0; the {@code subscribed} reply's cursor
   * @param added the partitions of {@code from} the client's cursor does not name
   */
  record Replay(Cursor from, SortedSet<Integer> added) implements ResumePlan {
    public Replay {
      Objects.requireNonNull(from, "from");
      added = Collections.unmodifiableSortedSet(new TreeSet<>(added));
      if (!from.offsets().keySet().containsAll(added)) {
        throw new IllegalArgumentException("added partitions must be part of " + from);
      }
    }

    /** A replay from the client's cursor, which names every partition of the channel. */
    public Replay(final Cursor from) {
      this(from, new TreeSet<>());
    }

    /**
     * The partitions to read only once the others caught up: those the client has received
     * nothing from (added, or named at offset 0). A key moved by a partition increase has its
     * earlier events in a partition the client read from, its later ones in such a partition.
     */
    public SortedSet<Integer> later() {
      final TreeSet<Integer> later = new TreeSet<>(added);
      from.offsets().forEach((partition, offset) -> {
        if (offset == 0) {
          later.add(partition);
        }
      });
      return Collections.unmodifiableSortedSet(later);
    }

    /**
     * Why the replay cannot be done from a log of these bounds, if it cannot: an added partition
     * whose start was deleted by retention (its events before the oldest kept one are lost),
     * otherwise as {@link ResumePlan#outside(Cursor, Map, long)} says.
     *
     * @param bounds the readable range of the partitions of {@link #from}
     * @param maxScanRecords most records a replay may have to read
     */
    public Optional<Reason> outside(final Map<Integer, LogRange> bounds, final long maxScanRecords) {
      for (final int partition : added) {
        final LogRange range = bounds.get(partition);
        if (range != null && range.start() > 0) {
          return Optional.of(Reason.ADDED_PARTITION_TRUNCATED);
        }
      }
      return ResumePlan.outside(from, bounds, maxScanRecords);
    }
  }

  /**
   * The cursor cannot be replayed: {@code recovered: false}, and a snapshot for a user channel.
   *
   * @param reason why
   */
  record Unrecoverable(Reason reason) implements ResumePlan {
    public Unrecoverable {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Decides for a user channel (see {@link #decide(Optional, Cursor, Kind, boolean)}). */
  static ResumePlan decide(final Optional<Cursor> requested, final Cursor seam) {
    return decide(requested, seam, Kind.USER, false);
  }

  /** Decides for a user channel (see {@link #decide(Optional, Cursor, Kind, boolean)}). */
  static ResumePlan decide(final Optional<Cursor> requested, final Cursor seam,
      final boolean snapshot) {
    return decide(requested, seam, Kind.USER, snapshot);
  }

  /**
   * Decides for a client that may have asked for its state. The state is given only where the
   * subscription has nothing to continue from: without a cursor ({@link Snapshot}) or with one that
   * cannot be replayed ({@link Unrecoverable}, as without asking). A cursor that can be continued
   * from is replayed ({@link Replay}, or {@link Live} at the seam) and gets no snapshot: the client
   * holds the state up to its cursor, and the replay brings every later event, including those no
   * state records (notifications, row changes), which a snapshot would skip.
   *
   * <p>The seam's partitions missing from the cursor were added since it was issued: the replay
   * starts them at offset 0. The cursor's partitions outside the seam are, on a user channel, the
   * partition the user's key hashed to before the increase (replayed from the cursor); on the
   * feed, whose seam names every partition, partitions the topic does not have: unrecoverable.
   *
   * @param requested the client's cursor, if it sent one (already narrowed to its scope)
   * @param seam where the subscription joins the live tail, with the channel's scope: the user's
   *     partition, or every feed partition
   * @param kind the channel
   * @param snapshot whether the client asked for its state ({@code "snapshot": true})
   */
  static ResumePlan decide(final Optional<Cursor> requested, final Cursor seam, final Kind kind,
      final boolean snapshot) {
    if (requested.isEmpty()) {
      return snapshot ? new Snapshot() : new Live(false);
    }
    final Cursor cursor = requested.get();
    if (!cursor.epoch().equals(seam.epoch())) {
      return new Unrecoverable(Reason.OTHER_EPOCH);
    }
    if (cursor.scope() != seam.scope()) {
      return new Unrecoverable(Reason.OTHER_CHANNEL);
    }
    if (kind == Kind.FEED && !seam.offsets().keySet().containsAll(cursor.offsets().keySet())) {
      return new Unrecoverable(Reason.PARTITIONS_CHANGED);
    }
    if (cursor.offsets().equals(seam.offsets())) {
      return new Live(true);
    }
    final SortedMap<Integer, Long> from = new TreeMap<>(cursor.offsets());
    final TreeSet<Integer> added = new TreeSet<>();
    for (final int partition : seam.offsets().keySet()) {
      if (from.putIfAbsent(partition, 0L) == null) {
        added.add(partition);
      }
    }
    return new Replay(new Cursor(cursor.epoch(), cursor.scope(), from), added);
  }

  /**
   * The partitions to read next: those of {@code lagging} not in {@code later}, or, once those
   * caught up, the later ones. Pure.
   *
   * @param lagging per partition still behind the live buffer, the offset to read from
   * @param later the partitions to read last ({@link Replay#later})
   */
  public static SortedMap<Integer, Long> readFirst(final SortedMap<Integer, Long> lagging,
      final Set<Integer> later) {
    final TreeMap<Integer, Long> first = new TreeMap<>(lagging);
    first.keySet().removeAll(later);
    return first.isEmpty() ? lagging : Collections.unmodifiableSortedMap(first);
  }

  /**
   * Why {@code cursor} cannot be replayed from a log of these bounds, if it cannot: a partition
   * the log no longer has, a position deleted by retention, one past the end of the log, or more
   * than {@code maxScanRecords} records between the cursor and the end, summed over the cursor's
   * partitions (a replay reads every record of those partitions, not only the channel's: an old
   * cursor of a shared partition would be a long scan for little).
   *
   * @param cursor the client's cursor
   * @param bounds the readable range of the cursor's partitions
   * @param maxScanRecords most records a replay may have to read
   */
  static Optional<Reason> outside(final Cursor cursor, final Map<Integer, LogRange> bounds,
      final long maxScanRecords) {
    final Optional<Reason> outside = outside(cursor, bounds);
    if (outside.isPresent()) {
      return outside;
    }
    long scan = 0;
    for (final Map.Entry<Integer, Long> position : cursor.offsets().entrySet()) {
      scan += bounds.get(position.getKey()).end() - position.getValue();
      if (scan > maxScanRecords) {
        return Optional.of(Reason.SCAN_LIMIT);
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code cursor} cannot be replayed from a log of these bounds, if it cannot: a partition
   * the log no longer has, a position deleted by retention, or one past the end of the log.
   *
   * @param cursor the client's cursor
   * @param bounds the readable range of the cursor's partitions
   */
  static Optional<Reason> outside(final Cursor cursor, final Map<Integer, LogRange> bounds) {
    for (final Map.Entry<Integer, Long> position : cursor.offsets().entrySet()) {
      final LogRange range = bounds.get(position.getKey());
      if (range == null) {
        return Optional.of(Reason.PARTITIONS_CHANGED);
      }
      if (position.getValue() < range.start()) {
        return Optional.of(Reason.RETENTION);
      }
      if (position.getValue() > range.end()) {
        return Optional.of(Reason.AHEAD_OF_LOG);
      }
    }
    return Optional.empty();
  }
}
