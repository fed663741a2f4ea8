package io.tidewire.processor.internals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.tidewire.processor.ReactionTable;
import java.util.Objects;
import java.util.Optional;

/**
 * What the content-state processor reads, keyed by {@code contentType:contentId} on its
 * repartition topics: changes of content rows and of reactions to them. Immutable;
 * {@link InternalSerde} on the wire.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ContentInput.Content.class, name = "content"),
    @JsonSubTypes.Type(value = ContentInput.Reaction.class, name = "reaction"),
    @JsonSubTypes.Type(value = ContentInput.ReactionRow.class, name = "reaction-row")})
public sealed interface ContentInput {

  /** Content type, e.g. {@code video}. */
  String contentType();

  /** Content id. */
  String contentId();

  /** {@link EventIds#changeId} of the change this came from. */
  String changeId();

  /** Commit time of that change, epoch milliseconds. */
  long ts();

  /** Where that change came from. */
  Position position();

  /**
   * A content row was inserted, updated, read by a snapshot or deleted.
   *
   * @param ownerId its user id column
   * @param visible its is_public column after the change (false after a delete)
   * @param deleted true for a delete
   */
  record Content(String contentType, String contentId, String changeId, long ts, Position position,
      String ownerId, boolean visible, boolean deleted) implements ContentInput {
    public Content {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(contentId, "contentId");
      Objects.requireNonNull(changeId, "changeId");
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(ownerId, "ownerId");
    }
  }

  /**
   * A like or comment was added (+1) or removed (−1).
   *
   * @param kind like or comment
   * @param actorId the user who reacted
   * @param delta +1 or −1
   * @param notificationId id of the notification it causes, when it causes one
   * @param commentId the comment's id, for comments
   * @param body the comment's text, for comments
   */
  record Reaction(String contentType, String contentId, String changeId, long ts, Position position,
      ReactionTable.Kind kind, String actorId, int delta, Optional<String> notificationId,
      Optional<String> commentId, Optional<String> body) implements ContentInput {
    public Reaction {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(contentId, "contentId");
      Objects.requireNonNull(changeId, "changeId");
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(actorId, "actorId");
      Objects.requireNonNull(notificationId, "notificationId");
      Objects.requireNonNull(commentId, "commentId");
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * A change of a reaction row as a {@code row.<table>} event, published on
   * {@code realtime.public-changes} if its content item is public.
   *
   * @param eventId the event's id
   * @param eventType {@code row.<table>}
   * @param table the reaction table, schema-qualified
   * @param op insert | update | delete | snapshot, as seen at this content item (a reaction moved
   *     to other content is a delete here and an insert there)
   * @param row the row after the change (before it, for a delete), a JSON object
   * @param old the row before the change, for updates and deletes
   */
  record ReactionRow(String contentType, String contentId, String changeId, long ts,
      Position position, String eventId, String eventType, String table, String op, String row,
      Optional<String> old) implements ContentInput {
    public ReactionRow {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(contentId, "contentId");
      Objects.requireNonNull(changeId, "changeId");
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(eventType, "eventType");
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(row, "row");
      Objects.requireNonNull(old, "old");
    }
  }
}
