package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Objects;

/**
 * What the routing processor forwards; the topology branches on the variant and sends each to its
 * topic (events) or repartition topic (inputs of the stateful features). Immutable.
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
   * Input of the credits join, to be repartitioned by user.
   *
   * @param userId the user, the repartition key
   * @param input the balance change or transaction
   */
  record ToCredits(String userId, CreditsInput input) implements Routed {
    public ToCredits {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(input, "input");
    }
  }

  /**
   * Input of the content-state processor, to be repartitioned by content.
   *
   * @param contentKey {@code contentType:contentId}, the repartition key
   * @param input the content row or reaction change
   */
  record ToContent(String contentKey, ContentInput input) implements Routed {
    public ToContent {
      Objects.requireNonNull(contentKey, "contentKey");
      Objects.requireNonNull(input, "input");
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
