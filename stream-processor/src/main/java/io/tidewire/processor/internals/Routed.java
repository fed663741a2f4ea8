package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Objects;

/**
 * What the routing processor forwards; the topology branches on the variant and sends each to its
 * topic. Immutable.
 */
public sealed interface Routed {

  /**
   * An event for one user's stream.
   *
   * @param userId the owner, the record key on {@code realtime.user-events}
   * @param event the event
   */
  record ToUser(String userId, UserEvent event) implements Routed {
    public ToUser {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * An event for the public feed.
   *
   * @param contentKey {@code contentType:contentId}, the record key on {@code realtime.feed-events}
   * @param event the event
   */
  record ToFeed(String contentKey, FeedEvent event) implements Routed {
    public ToFeed {
      Objects.requireNonNull(contentKey, "contentKey");
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * A record that could not be processed, byte for byte as read; the reason travels in headers.
   *
   * @param key the original key, possibly null
   * @param value the original value
   */
  record DeadLetter(byte[] key, byte[] value) implements Routed {}
}
