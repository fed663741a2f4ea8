package io.tidewire.processor.internals;

import java.util.Objects;

/**
 * The type and payload of a user event, before the envelope (id, owner, position) is added.
 *
 * @param type event type, e.g. {@code generation.progress}
 * @param data one of the records of {@code UserEvent.data}'s union
 */
public record UserData(String type, Object data) {

  public UserData {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }
}
