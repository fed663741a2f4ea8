package io.tidewire.gateway.session;

import java.util.Objects;
import java.util.Optional;

/**
 * An event frame encoded once by the live tail and handed, as is, to every session that receives
 * it.
 *
 * @param owner the user the event belongs to; empty for public (feed) events
 * @param type the event type, for {@code types} filters
 * @param frame the complete JSON text frame
 * @param bytes the frame's size in UTF-8 bytes, for queue accounting
 */
public record EncodedEvent(Optional<String> owner, String type, String frame, int bytes) {

  public EncodedEvent {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(frame, "frame");
  }

  /** An event with its byte size computed. */
  public static EncodedEvent of(final Optional<String> owner, final String type, final String frame) {
    return new EncodedEvent(owner, type, frame, Utf8.length(frame));
  }
}
