package io.tidewire.gateway.recovery;

import io.tidewire.gateway.protocol.Cursor;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a subscription starts, decided at the moment it joins the live tail (the seam) from the
 * cursor the client sent, if any, and the seam's position. Pure.
 *
 * <p>Whether a replayable cursor is still inside the log (retention may have deleted it) is not
 * known at the seam; the replay reads the log's bounds first thing and {@link #outside} may still
 * make it {@link Unrecoverable}.
 */
public sealed interface ResumePlan {

  /** Why a cursor cannot be replayed. */
  enum Reason {
    /** The cursor's epoch is another incarnation of the topic (deleted and recreated). */
    OTHER_EPOCH("the topic was recreated since the cursor was issued"),
    /** The cursor belongs to another channel (another user's, or the feed's). */
    OTHER_CHANNEL("the cursor belongs to another channel"),
    /** The cursor names other partitions than the channel has now (partitions were added). */
    PARTITIONS_CHANGED("the topic's partitions changed since the cursor was issued"),
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
   * Replay from the client's cursor, then go live.
   *
   * @param from the client's cursor
   */
  record Replay(Cursor from) implements ResumePlan {
    public Replay {
      Objects.requireNonNull(from, "from");
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

  /**
   * Decides.
   *
   * @param requested the client's cursor, if it sent one (already narrowed to its scope)
   * @param seam where the subscription joins the live tail, with the channel's scope
   */
  static ResumePlan decide(final Optional<Cursor> requested, final Cursor seam) {
    return decide(requested, seam, false);
  }

  /**
   * Decides for a client that may have asked for its state. The state is given only where the
   * subscription has nothing to continue from: without a cursor ({@link Snapshot}) or with one that
   * cannot be replayed ({@link Unrecoverable}, as without asking). A cursor that can be continued
   * from is replayed ({@link Replay}, or {@link Live} at the seam) and gets no snapshot: the client
   * holds the state up to its cursor, and the replay brings every later event, including those no
   * state records (notifications, row changes), which a snapshot would skip.
   *
   * @param requested the client's cursor, if it sent one (already narrowed to its scope)
   * @param seam where the subscription joins the live tail, with the channel's scope
   * @param snapshot whether the client asked for its state ({@code "snapshot": true})
   */
  static ResumePlan decide(final Optional<Cursor> requested, final Cursor seam,
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
    if (!cursor.offsets().keySet().equals(seam.offsets().keySet())) {
      return new Unrecoverable(Reason.PARTITIONS_CHANGED);
    }
    if (cursor.offsets().equals(seam.offsets())) {
      return new Live(true);
    }
    return new Replay(cursor);
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
