package io.tidewire.gateway.session;

import io.tidewire.gateway.recovery.Positioned;
import java.util.Objects;
import java.util.Optional;

/**
 * An event frame, encoded once: by the live tail for every session that receives it, or by a
 * replay for one session.
 *
 * @param owner the user the event belongs to; empty for public (feed) events
 * @param type the event type, for {@code types} filters
 * @param partition the partition of the event's record
 * @param offset the offset of the event's record (its cursor says {@code offset + 1})
 * @param out the complete JSON text frame (shared by every session that sends it)
 */
public record EncodedEvent(Optional<String> owner, String type, int partition, long offset,
    OutboundFrame out) implements Positioned {

  public EncodedEvent {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(out, "out");
  }

  /** An event with its byte size computed. */
  public static EncodedEvent of(final Optional<String> owner, final String type,
      final int partition, final long offset, final String frame) {
    return new EncodedEvent(owner, type, partition, offset, OutboundFrame.of(frame));
  }

  /** The complete JSON text frame. */
  public String frame() {
    return out.text();
  }

  /** The frame's size in UTF-8 bytes, for queue accounting. */
  public int bytes() {
    return out.bytes();
  }
}
