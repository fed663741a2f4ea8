package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.ContentAccess;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the routing processor (and the stateful features) forward, each variant with its record
 * key and its {@link Output}: the topology branches on the output and sends each to its topic
 * (events, states, dead letters) or repartition topic (inputs of the stateful features).
 * Immutable.
 */
public sealed interface Routed {

  /** Where a routed value goes; each is a branch of the sub-topology that forwards it. */
  enum Output {
    /** {@link ToUser}: to {@code realtime.user-events}. */
    USER_EVENTS,
    /** {@link ToFeed}: to {@code realtime.feed-events}. */
    FEED_EVENTS,
    /** {@link ToPublic}: to {@code realtime.public-changes}. */
    PUBLIC_CHANGES,
    /** {@link ToCredits}: to the credits join. */
    CREDITS,
    /** {@link ToContent}: to the content-state processor. */
    CONTENT,
    /** {@link ToUserState}: to the user-state fold. */
    USER_STATE,
    /** {@link State}: to {@code realtime.user-state}. */
    STATE,
    /** {@link Access}: to {@code realtime.content-access}. */
    CONTENT_ACCESS,
    /** {@link DeadLetter}: to {@code realtime.dlq}. */
    DEAD_LETTER
  }

  /**
   * The key of the record it is forwarded in: the user id or the content key; null for a
   * {@link DeadLetter}, whose original key (any bytes) travels in the value.
   */
  String key();

  /** Where it goes. */
  Output output();

  /** The types of the events it carries, in order, for the events metric; often none. */
  default List<String> eventTypes() {
    return List.of();
  }

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

    @Override
    public String key() {
      return userId;
    }

    @Override
    public Output output() {
      return Output.USER_EVENTS;
    }

    @Override
    public List<String> eventTypes() {
      return List.of(event.getType());
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

    @Override
    public String key() {
      return contentKey;
    }

    @Override
    public Output output() {
      return Output.FEED_EVENTS;
    }

    @Override
    public List<String> eventTypes() {
      return List.of(event.getType());
    }
  }

  /**
   * A change of a public row.
   *
   * @param contentKey {@code contentType:contentId} of the content item (the row itself, or the
   *     item a reaction is about), the record key on {@code realtime.public-changes}
   * @param event the event
   */
  record ToPublic(String contentKey, PublicRowEvent event) implements Routed {
    public ToPublic {
      Objects.requireNonNull(contentKey, "contentKey");
      Objects.requireNonNull(event, "event");
    }

    @Override
    public String key() {
      return contentKey;
    }

    @Override
    public Output output() {
      return Output.PUBLIC_CHANGES;
    }

    @Override
    public List<String> eventTypes() {
      return List.of(event.getType());
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

    @Override
    public String key() {
      return userId;
    }

    @Override
    public Output output() {
      return Output.CREDITS;
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

    @Override
    public String key() {
      return contentKey;
    }

    @Override
    public Output output() {
      return Output.CONTENT;
    }
  }

  /**
   * Input of the user-state fold, to be repartitioned by user: a change of the user's state and
   * the events the same change yields for the user, which the fold sends with the new state.
   *
   * @param userId the user, the repartition key
   * @param input the change of the user's balance or of one of the user's jobs
   * @param events events of the change for this user, in order; often none
   */
  record ToUserState(String userId, UserStateInput input, List<UserEvent> events) implements Routed {
    public ToUserState {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(input, "input");
      events = List.copyOf(events);
    }

    /** What the fold reads. */
    public UserChange change() {
      return new UserChange(input, events);
    }

    @Override
    public String key() {
      return userId;
    }

    @Override
    public Output output() {
      return Output.USER_STATE;
    }

    @Override
    public List<String> eventTypes() {
      return events.stream().map(UserEvent::getType).toList();
    }
  }

  /**
   * A user's new state, for the compacted {@code realtime.user-state}.
   *
   * @param userId the user, the record key
   * @param state the state; empty for a deleted user (a tombstone)
   */
  record State(String userId, Optional<UserState> state) implements Routed {
    public State {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(state, "state");
    }

    @Override
    public String key() {
      return userId;
    }

    @Override
    public Output output() {
      return Output.STATE;
    }
  }

  /**
   * Who may see a content item now, for the compacted {@code realtime.content-access}.
   *
   * @param contentKey {@code contentType:contentId}, the record key
   * @param access owner and visibility; empty for a deleted row (a tombstone)
   */
  record Access(String contentKey, Optional<ContentAccess> access) implements Routed {
    public Access {
      Objects.requireNonNull(contentKey, "contentKey");
      Objects.requireNonNull(access, "access");
    }

    @Override
    public String key() {
      return contentKey;
    }

    @Override
    public Output output() {
      return Output.CONTENT_ACCESS;
    }
  }

  /**
   * A record that could not be processed, byte for byte as read; the reason travels in headers.
   *
   * @param originalKey the original key, possibly null
   * @param value the original value
   */
  record DeadLetter(byte[] originalKey, byte[] value) implements Routed {

    @Override
    public String key() {
      return null;
    }

    @Override
    public Output output() {
      return Output.DEAD_LETTER;
    }
  }
}
