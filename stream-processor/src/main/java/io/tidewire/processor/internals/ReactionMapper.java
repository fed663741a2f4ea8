package io.tidewire.processor.internals;

import io.tidewire.processor.ReactionTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a change of a reaction table (likes, comments) into {@link ContentInput.Reaction}s keyed
 * by the content they react to ({@code content_type:content_id} of the row):
 *
 * <ul>
 *   <li>insert: +1, and a notification for the content's owner (decided downstream, where the
 *       owner is known);</li>
 *   <li>snapshot read: +1, no notification (it is history, not news);</li>
 *   <li>delete: −1, no notification;</li>
 *   <li>update: nothing, unless it moved the row to other content: −1 there, +1 here, no
 *       notification (an update without a before image cannot show a move).</li>
 * </ul>
 *
 * <p>Thread-safe (stateless).
 */
public final class ReactionMapper implements ChangeMapper {

  static final String CONTENT_TYPE = "content_type";
  static final String CONTENT_ID = "content_id";

  private final ReactionTable table;

  public ReactionMapper(final ReactionTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public List<Routed.ToContent> map(final ChangeEnvelope change) {
    switch (change.op()) {
      case CREATE:
        return List.of(reaction(change, change.row(), +1, true));
      case READ:
        return List.of(reaction(change, change.row(), +1, false));
      case DELETE:
        return List.of(reaction(change, change.row(), -1, false));
      case UPDATE:
        final Optional<Row> before = change.beforeRow();
        if (before.isEmpty() || contentKey(before.get()).equals(contentKey(change.row()))) {
          return List.of();
        }
        final List<Routed.ToContent> moved = new ArrayList<>(2);
        moved.add(reaction(change, before.get(), -1, false));
        moved.add(reaction(change, change.row(), +1, false));
        return moved;
      default:
        throw new IllegalStateException("unknown op " + change.op());
    }
  }

  private Routed.ToContent reaction(final ChangeEnvelope change, final Row row, final int delta,
      final boolean notify) {
    final boolean comment = table.kind() == ReactionTable.Kind.COMMENT;
    final String contentType = row.requireText(CONTENT_TYPE);
    final String contentId = row.requireId(CONTENT_ID);
    return new Routed.ToContent(FeedEventMapper.contentKey(contentType, contentId),
        new ContentInput.Reaction(contentType, contentId, change.changeId(), change.sourceTsMs(),
            Position.of(change), table.kind(), row.ownerId("user_id"), delta,
            notify ? Optional.of(change.eventId(Notifications.TYPE)) : Optional.empty(),
            comment ? Optional.of(row.requireId("id")) : Optional.empty(),
            comment ? row.text("body") : Optional.empty()));
  }

  /** {@code content_type:content_id} of a reaction row. */
  static String contentKey(final Row row) {
    return FeedEventMapper.contentKey(row.requireText(CONTENT_TYPE), row.requireId(CONTENT_ID));
  }
}
