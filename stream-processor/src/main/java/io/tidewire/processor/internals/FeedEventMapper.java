package io.tidewire.processor.internals;

import io.tidewire.processor.FeedTable;
import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.ContentRemoved;
import io.tidewire.schemas.avro.FeedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns changes of one feed table (videos, images) into public feed events keyed by
 * {@code contentType:contentId}. Thread-safe (stateless).
 *
 * <ul>
 *   <li>{@code feed.content_published} when a row becomes visible: inserted or snapshotted with
 *       {@code is_public = true}, or updated from {@code is_public = false} to {@code true};</li>
 *   <li>{@code feed.content_removed} when a visible row stops being visible: a public row deleted
 *       ({@code reason = deleted}) or updated from public to private ({@code reason = private}).
 *       Deleting a private row says nothing: it was never published.</li>
 * </ul>
 *
 * <p>An update without a before image (table not REPLICA IDENTITY FULL) cannot show a transition
 * and yields nothing. {@code feed.counts} needs state and is made by {@link ContentStateProcessor}.
 */
public final class FeedEventMapper implements ChangeMapper {

  public static final String CONTENT_PUBLISHED = "feed.content_published";
  public static final String CONTENT_REMOVED = "feed.content_removed";
  static final String IS_PUBLIC = "is_public";
  static final String REASON_DELETED = "deleted";
  static final String REASON_PRIVATE = "private";

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
  @Override
  public List<Routed.ToFeed> map(final ChangeEnvelope change) {
    final List<Routed.ToFeed> events = new ArrayList<>(1);
    published(change).ifPresent(events::add);
    removed(change).ifPresent(events::add);
    return events;
  }

  private Optional<Routed.ToFeed> removed(final ChangeEnvelope change) {
    final String reason;
    if (change.op() == Op.DELETE && change.row().requireBoolean(IS_PUBLIC)) {
      reason = REASON_DELETED;
    } else if (change.op() == Op.UPDATE && change.beforeRow().isPresent()
        && change.beforeRow().get().requireBoolean(IS_PUBLIC)
        && !change.row().requireBoolean(IS_PUBLIC)) {
      reason = REASON_PRIVATE;
    } else {
      return Optional.empty();
    }
    final String contentId = change.row().requireText("id");
    final FeedEvent event = FeedEvent.newBuilder()
        .setId(change.eventId(CONTENT_REMOVED))
        .setType(CONTENT_REMOVED)
        .setTs(change.sourceTsMs())
        .setSource(change.position())
        .setData(ContentRemoved.newBuilder()
            .setContentType(table.contentType())
            .setContentId(contentId)
            .setReason(reason)
            .build())
        .build();
    return Optional.of(new Routed.ToFeed(contentKey(table.contentType(), contentId), event));
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
