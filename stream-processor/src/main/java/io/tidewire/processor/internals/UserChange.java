package io.tidewire.processor.internals;

import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the user-state fold reads, keyed by user id: one change of the user's state and the user
 * events the same change yields. The fold writes both the events and the resulting state, so they
 * commit in one transaction. Immutable; JSON on the wire ({@link JsonSerde}), the events inside as
 * their Avro bytes ({@code realtime.user-events} encoding).
 *
 * @param state what the change does to the user's state
 * @param events the events, encoded, in the order they are to be sent
 */
public record UserChange(UserStateInput state, List<byte[]> events) {

  public UserChange {
    Objects.requireNonNull(state, "state");
    events = List.copyOf(events);
  }

  /** The change with its events encoded. */
  public static UserChange of(final UserStateInput state, final List<UserEvent> events) {
    final List<byte[]> encoded = new ArrayList<>(events.size());
    for (final UserEvent event : events) {
      encoded.add(Topics.USER_EVENTS.valueSerde().serializer().serialize(Topics.USER_EVENTS.name(), event));
    }
    return new UserChange(state, encoded);
  }

  /** The events, decoded. */
  public List<UserEvent> decodeEvents() {
    final List<UserEvent> decoded = new ArrayList<>(events.size());
    for (final byte[] bytes : events) {
      decoded.add(Topics.USER_EVENTS.valueSerde().deserializer().deserialize(Topics.USER_EVENTS.name(), bytes));
    }
    return decoded;
  }
}
