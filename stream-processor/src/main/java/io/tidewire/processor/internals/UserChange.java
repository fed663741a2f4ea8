package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.UserEvent;
import java.util.List;
import java.util.Objects;

/**
 * What the user-state fold reads, keyed by user id: one change of the user's state and the user
 * events the same change yields. The fold writes both the events and the resulting state, so they
 * commit in one transaction. Immutable; {@link InternalSerde} on the repartition topics.
 *
 * @param state what the change does to the user's state
 * @param events the events, in the order they are to be sent; often none
 */
public record UserChange(UserStateInput state, List<UserEvent> events) {

  public UserChange {
    Objects.requireNonNull(state, "state");
    events = List.copyOf(events);
  }
}
