package io.tidewire.processor.internals;

import io.tidewire.processor.FeedTable;
import io.tidewire.schemas.avro.ContentAccess;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns every change of a feed table's row into who may see it now, for the compacted
 * {@code realtime.content-access} keyed by {@code contentType:contentId}: the row's owner
 * ({@code user_id}) and {@code is_public} after an insert, update or snapshot read, a tombstone
 * after a delete. A row always maps to the same key, so its records keep their order. Thread-safe
 * (stateless).
 */
public final class ContentAccessMapper implements ChangeMapper {

  private final FeedTable table;

  public ContentAccessMapper(final FeedTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  /**
   * @throws DecodeException when a row lacks {@code id}, or (unless deleted) {@code user_id} or
   *     {@code is_public}
   */
  @Override
  public List<Routed.Access> map(final ChangeEnvelope change) {
    final Row row = change.row();
    final String contentId = row.requireText("id");
    final String key = FeedEventMapper.contentKey(table.contentType(), contentId);
    if (change.op() == Op.DELETE) {
      // the delete's before image may hold the key columns only: the id is all a tombstone needs
      return List.of(new Routed.Access(key, Optional.empty()));
    }
    return List.of(new Routed.Access(key, Optional.of(ContentAccess.newBuilder()
        .setContentType(table.contentType())
        .setContentId(contentId)
        .setOwner(row.ownerId("user_id"))
        .setIsPublic(row.requireBoolean(FeedEventMapper.IS_PUBLIC))
        .setTs(change.sourceTsMs())
        .setSource(change.position())
        .build())));
  }
}
