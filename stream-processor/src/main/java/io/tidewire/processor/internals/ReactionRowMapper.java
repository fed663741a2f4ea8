package io.tidewire.processor.internals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.processor.ReactionTable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns every change of a reaction table's row into a {@link ContentInput.ReactionRow} keyed by
 * the content item it is about; {@link ContentStateProcessor} publishes it on
 * {@code realtime.public-changes} if that item is public. An update that moved the reaction to
 * other content is a {@code delete} at the old item and an {@code insert} at the new one. Thread-safe
 * (stateless).
 */
public final class ReactionRowMapper implements ChangeMapper {

  /** Appended to the event type in the id of the delete half of a move, so both ids differ. */
  private static final String MOVED_AWAY = "|moved-away";

  private final ReactionTable table;
  private final String type;

  public ReactionRowMapper(final ReactionTable table) {
    this.table = Objects.requireNonNull(table, "table");
    this.type = RowChangeMapper.typeOf(table.table());
  }

  /**
   * @throws DecodeException when a row lacks {@code content_type} or {@code content_id}
   */
  @Override
  public List<Routed.ToContent> map(final ChangeEnvelope change) {
    final Row row = change.row();
    switch (change.op()) {
      case CREATE:
      case READ:
        return List.of(input(change, row, change.op(), Optional.empty(), change.eventId(type)));
      case DELETE:
        return List.of(input(change, row, Op.DELETE, change.before(), change.eventId(type)));
      case UPDATE:
        final Optional<Row> before = change.beforeRow();
        if (before.isPresent() && !ReactionMapper.contentKey(before.get()).equals(ReactionMapper.contentKey(row))) {
          return List.of(
              input(change, before.get(), Op.DELETE, change.before(), change.eventId(type + MOVED_AWAY)),
              input(change, row, Op.CREATE, Optional.empty(), change.eventId(type)));
        }
        return List.of(input(change, row, Op.UPDATE, change.before(), change.eventId(type)));
      default:
        throw new IllegalStateException("unknown op " + change.op());
    }
  }

  private Routed.ToContent input(final ChangeEnvelope change, final Row row, final Op op,
      final Optional<ObjectNode> old, final String eventId) {
    final String contentType = row.requireText(ReactionMapper.CONTENT_TYPE);
    final String contentId = row.requireId(ReactionMapper.CONTENT_ID);
    return new Routed.ToContent(FeedEventMapper.contentKey(contentType, contentId),
        new ContentInput.ReactionRow(contentType, contentId, change.changeId(), change.sourceTsMs(),
            Position.of(change), eventId, type, table.table().qualified(), op.label(),
            RowChangeMapper.json(row.node()), old.map(RowChangeMapper::json)));
  }
}
