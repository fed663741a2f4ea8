package io.tidewire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One event as the gateway pushed it.
 *
 * <p>Immutable apart from {@code data}, which is a Jackson tree owned by the receiver: do not
 * modify it if other code reads the same event.
 *
 * @param channel the channel it came on, e.g. {@code "user"}
 * @param id the event's deterministic id (a duplicate carries the same id)
 * @param type e.g. {@code "generation.progress"}
 * @param cursor the position right after this event: subscribe with it to resume after it
 * @param ts when the change happened
 * @param data the event's payload (a JSON object)
 */
public record Event(String channel, String id, String type, String cursor, Instant ts, JsonNode data) {

  /** Checks that nothing is null. */
  public Event {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(data, "data");
  }
}
