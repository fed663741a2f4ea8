package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * One Phoenix channels message, in either serializer's terms: {@code join_ref} (the ref of the
 * join the message belongs to), {@code ref} (a push's ref, echoed by its reply), topic, event and
 * payload.
 *
 * @param joinRef the join's ref, if any
 * @param ref the push's ref, if any
 * @param topic e.g. {@code realtime:room1} or {@code phoenix}
 * @param event e.g. {@code phx_join}
 * @param payload the payload (a JSON object for every event this endpoint understands)
 */
public record PhxMessage(Optional<String> joinRef, Optional<String> ref, String topic, String event,
    JsonNode payload) {

  public PhxMessage {
    Objects.requireNonNull(joinRef, "joinRef");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(payload, "payload");
  }
}
