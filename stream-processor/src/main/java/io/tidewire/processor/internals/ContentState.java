package io.tidewire.processor.internals;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.tidewire.processor.ReactionTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the content-state processor knows of one content item (its state store value). Immutable;
 * the {@code with*} methods return changed copies.
 *
 * @param ownerId the owner, once a content row was seen
 * @param visible whether the content is public now
 * @param deleted true after the content row was deleted (a marker kept for a while, so late
 *     reactions to it are ignored rather than counted from zero)
 * @param counts the true counts
 * @param emitted the counts last sent in {@code feed.counts} (zero before the first)
 * @param lastEmitMs wall-clock time of the last {@code feed.counts}, 0 before the first
 * @param cause the last change that altered what {@code feed.counts} would say; its id names the
 *     next {@code feed.counts}
 * @param waiting reactions whose notification waits for the content row to name the owner
 * @param waitingRows reaction rows that wait for the content row to say whether the content is
 *     public (absent in states written before they existed: read as none)
 */
public record ContentState(Optional<String> ownerId, boolean visible, boolean deleted,
    Counts counts, Counts emitted, long lastEmitMs, Optional<Cause> cause,
    List<ContentInput.Reaction> waiting, List<ContentInput.ReactionRow> waitingRows) {

  /** Nothing known yet. */
  public static final ContentState UNKNOWN = new ContentState(Optional.empty(), false, false,
      Counts.ZERO, Counts.ZERO, 0, Optional.empty(), List.of(), List.of());

  public ContentState {
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(counts, "counts");
    Objects.requireNonNull(emitted, "emitted");
    Objects.requireNonNull(cause, "cause");
    waiting = List.copyOf(waiting);
    waitingRows = waitingRows == null ? List.of() : List.copyOf(waitingRows);
  }

  /**
   * Likes and comments.
   *
   * @param likes likes
   * @param comments comments
   */
  public record Counts(long likes, long comments) {
    public static final Counts ZERO = new Counts(0, 0);

    Counts plus(final ReactionTable.Kind kind, final int delta) {
      return kind == ReactionTable.Kind.LIKE
          ? new Counts(likes + delta, comments)
          : new Counts(likes, comments + delta);
    }
  }

  /**
   * A change that altered the counts or the visibility.
   *
   * @param changeId its {@link EventIds#changeId}
   * @param ts its commit time
   * @param position where it came from
   */
  public record Cause(String changeId, long ts, Position position) {
    public Cause {
      Objects.requireNonNull(changeId, "changeId");
      Objects.requireNonNull(position, "position");
    }

    static Cause of(final ContentInput input) {
      return new Cause(input.changeId(), input.ts(), input.position());
    }
  }

  /** The marker of deleted content. */
  static ContentState deletedMarker(final Optional<String> ownerId) {
    return new ContentState(ownerId, false, true, Counts.ZERO, Counts.ZERO, 0, Optional.empty(),
        List.of(), List.of());
  }

  /** True when counts differ from what was last sent and the content is public. */
  @JsonIgnore
  boolean isDirty() {
    return visible && !counts.equals(emitted);
  }

  ContentState withContent(final String owner, final boolean nowPublic, final Cause change) {
    final boolean becamePublic = nowPublic && !visible;
    // Content that (re)appears in the feed announces its counts again, even unchanged ones.
    return new ContentState(Optional.of(owner), nowPublic, false, counts,
        becamePublic ? Counts.ZERO : emitted, lastEmitMs, becamePublic ? Optional.of(change) : cause,
        waiting, waitingRows);
  }

  ContentState withReaction(final ContentInput.Reaction reaction) {
    return new ContentState(ownerId, visible, deleted, counts.plus(reaction.kind(), reaction.delta()),
        emitted, lastEmitMs, Optional.of(Cause.of(reaction)), waiting, waitingRows);
  }

  ContentState withWaiting(final ContentInput.Reaction reaction) {
    final List<ContentInput.Reaction> more = new ArrayList<>(waiting);
    more.add(reaction);
    return new ContentState(ownerId, visible, deleted, counts, emitted, lastEmitMs, cause, more,
        waitingRows);
  }

  ContentState withWaitingRow(final ContentInput.ReactionRow row) {
    final List<ContentInput.ReactionRow> more = new ArrayList<>(waitingRows);
    more.add(row);
    return new ContentState(ownerId, visible, deleted, counts, emitted, lastEmitMs, cause, waiting,
        more);
  }

  ContentState withoutWaiting() {
    return new ContentState(ownerId, visible, deleted, counts, emitted, lastEmitMs, cause, List.of(),
        List.of());
  }

  ContentState emittedAt(final long now) {
    return new ContentState(ownerId, visible, deleted, counts, counts, now, cause, waiting,
        waitingRows);
  }
}
