package io.tidewire.processor.internals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.processor.FeedTable;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.SourcePosition;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns changes of one feed table's rows into {@code row.<table>} events on
 * {@code realtime.public-changes}, keyed by {@code contentType:contentId}, as someone sees them who
 * may see public rows only. Thread-safe (stateless).
 *
 * <ul>
 *   <li>insert or snapshot read of a public row: {@code insert} or {@code snapshot};</li>
 *   <li>update of a row public before and after: {@code update}, with the old row;</li>
 *   <li>update from private to public: {@code insert} (the row joined the public set; no old
 *       row);</li>
 *   <li>update from public to private: {@code delete} (the row left the public set; row and old
 *       are the row before the update, the private row is not shown);</li>
 *   <li>delete of a public row: {@code delete}; changes of private rows: nothing.</li>
 * </ul>
 *
 * <p>An update without a before image (a table not REPLICA IDENTITY FULL) of a row public after
 * it is an {@code update} without old row.
 */
public final class PublicRowMapper implements ChangeMapper {

  private final FeedTable table;
  private final String type;

  public PublicRowMapper(final FeedTable table) {
    this.table = Objects.requireNonNull(table, "table");
    this.type = RowChangeMapper.typeOf(table.table());
  }

  /**
   * @throws DecodeException when a row lacks {@code id} or {@code is_public}
   */
  @Override
  public List<Routed.ToPublic> map(final ChangeEnvelope change) {
    final Row row = change.row();
    final boolean isPublic = row.requireBoolean(FeedEventMapper.IS_PUBLIC);
    switch (change.op()) {
      case CREATE:
      case READ:
        return isPublic ? publish(change, change.op(), row.node(), Optional.empty()) : List.of();
      case DELETE:
        return isPublic ? publish(change, Op.DELETE, row.node(), change.before()) : List.of();
      case UPDATE:
        final Optional<Row> before = change.beforeRow();
        final boolean wasPublic = before.isPresent() && before.get().requireBoolean(FeedEventMapper.IS_PUBLIC);
        if (wasPublic && !isPublic) {
          return publish(change, Op.DELETE, before.get().node(), change.before());
        }
        if (!isPublic) {
          return List.of();
        }
        if (before.isPresent() && !wasPublic) {
          return publish(change, Op.CREATE, row.node(), Optional.empty());
        }
        return publish(change, Op.UPDATE, row.node(), change.before());
      default:
        throw new IllegalStateException("unknown op " + change.op());
    }
  }

  private List<Routed.ToPublic> publish(final ChangeEnvelope change, final Op op,
      final ObjectNode row, final Optional<ObjectNode> old) {
    final String contentId = change.row().requireText("id");
    return List.of(new Routed.ToPublic(FeedEventMapper.contentKey(table.contentType(), contentId),
        event(change.eventId(type), type, change.sourceTsMs(), change.position(),
            RowChangeMapper.of(table.table(), op, row, old))));
  }

  /** A public row event. */
  static PublicRowEvent event(final String id, final String type, final long ts,
      final SourcePosition source, final RowChange data) {
    return PublicRowEvent.newBuilder()
        .setId(id)
        .setType(type)
        .setTs(ts)
        .setSource(source)
        .setData(data)
        .build();
  }
}
