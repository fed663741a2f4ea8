package io.tidewire.processor.internals;

import io.tidewire.processor.FeedTable;
import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.FeedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns changes of one feed table (videos, images) into public feed events keyed by
 * {@code contentType:contentId}. Thread-safe (stateless).
 *
 * <p>Today it emits {@code feed.content_published} when a row becomes visible: inserted or
 * snapshotted with {@code is_public = true}, or updated from {@code is_public = false} to
 * {@code true}. An update without a before image (table not REPLICA IDENTITY FULL) cannot show a
 * transition and yields nothing.
 *
 * <p>Extension point: {@code feed.content_removed} (a public row deleted, or updated to private)
 * is decided from the same before/after images and belongs in {@link #map} next to
 * {@link #published}; {@code feed.counts} needs state (likes and comments aggregated per content)
 * and gets its own sub-topology in {@code TopologyFactory}, not this stateless mapper.
 */
public final class FeedEventMapper {

  public static final String CONTENT_PUBLISHED = "feed.content_published";
  static final String IS_PUBLIC = "is_public";

  private final FeedTable table;

  public FeedEventMapper(final FeedTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  /**
   * Maps one change.
   *
   * @return the feed events it yields, in order (none for most changes)
   * @throws DecodeException when the row lacks the columns a feed event needs
   */
  public List<Routed.ToFeed> map(final ChangeEnvelope change) {
    final List<Routed.ToFeed> events = new ArrayList<>(1);
    published(change).ifPresent(events::add);
    return events;
  }

  private Optional<Routed.ToFeed> published(final ChangeEnvelope change) {
    if (!becamePublic(change)) {
      return Optional.empty();
    }
    final Row row = change.row();
    final String contentId = row.requireText("id");
    final ContentPublished data = ContentPublished.newBuilder()
        .setContentType(table.contentType())
        .setContentId(contentId)
        .setUserId(row.ownerId("user_id"))
        .setUrl(row.text("url").orElse(null))
        .setCaption(row.text("caption").orElse(null))
        .setCreatedAt(row.epochMillis("created_at").orElse(null))
        .build();
    final FeedEvent event = FeedEvent.newBuilder()
        .setId(change.eventId(CONTENT_PUBLISHED))
        .setType(CONTENT_PUBLISHED)
        .setTs(change.sourceTsMs())
        .setSource(change.position())
        .setData(data)
        .build();
    return Optional.of(new Routed.ToFeed(contentKey(table.contentType(), contentId), event));
  }

  private static boolean becamePublic(final ChangeEnvelope change) {
    switch (change.op()) {
      case CREATE:
      case READ:
        return change.row().requireBoolean(IS_PUBLIC);
      case UPDATE:
        final Optional<Row> before = change.beforeRow();
        return before.isPresent()
            && !before.get().requireBoolean(IS_PUBLIC)
            && change.row().requireBoolean(IS_PUBLIC);
      default:
        return false;
    }
  }

  /** The record key of a content item on {@code realtime.feed-events}. */
  public static String contentKey(final String contentType, final String contentId) {
    return contentType + ":" + contentId;
  }
}
