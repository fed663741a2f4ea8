package io.tidewire.processor.internals;

import io.tidewire.processor.FeedTable;
import java.util.List;
import java.util.Objects;

/**
 * Turns every change of a feed table's row into a {@link ContentInput.Content} for the
 * content-state processor, keyed by {@code contentType:contentId}: who owns the content and
 * whether it is public (false once deleted). Thread-safe (stateless).
 */
public final class ContentRowMapper implements ChangeMapper {

  private final FeedTable table;

  public ContentRowMapper(final FeedTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public List<Routed.ToContent> map(final ChangeEnvelope change) {
    final Row row = change.row();
    final boolean deleted = change.op() == Op.DELETE;
    final String contentId = row.requireText("id");
    return List.of(new Routed.ToContent(FeedEventMapper.contentKey(table.contentType(), contentId),
        new ContentInput.Content(table.contentType(), contentId, change.changeId(),
            change.sourceTsMs(), Position.of(change), row.ownerId("user_id"),
            !deleted && row.requireBoolean(FeedEventMapper.IS_PUBLIC), deleted)));
  }
}
