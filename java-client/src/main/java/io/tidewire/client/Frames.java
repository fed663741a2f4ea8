package io.tidewire.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.client.ProtocolCodes.ErrorCode;
import java.time.Instant;
import java.util.Optional;

/**
 * Writes the client's frames and reads the gateway's (protocol v1). Unknown fields are ignored;
 * an unknown {@code op} decodes to {@link Inbound.Unknown} so a newer gateway does not break an
 * older client.
 *
 * <p>Stateless and thread-safe.
 */
final class Frames {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Frames() {}

  /** A frame from the gateway, decoded. */
  sealed interface Inbound {
    /** {@code subscribed}. */
    record SubscribedReply(String ref, Subscribed subscribed) implements Inbound {}

    /** {@code unsubscribed}. */
    record UnsubscribedReply(String ref, String channel) implements Inbound {}

    /** {@code event}. */
    record EventFrame(Event event) implements Inbound {}

    /** {@code snapshot}. */
    record SnapshotFrame(Snapshot snapshot) implements Inbound {}

    /** {@code error}; {@code wireCode} is the code as sent (useful when it is unknown). */
    record ErrorFrame(Optional<String> ref, ErrorCode code, String wireCode, String message) implements Inbound {}

    /** {@code pong}. */
    record Pong(String ref) implements Inbound {}

    /** {@code authenticated}. */
    record Authenticated(String ref) implements Inbound {}

    /** A well-formed frame with an op this client does not know. */
    record Unknown(String op) implements Inbound {}

    /** Not a frame this client can read. */
    record Malformed(String problem) implements Inbound {}
  }

  /** {@code {"op":"subscribe","ref":…,"channel":…,"cursor":…?,"types":[…]?}}. */
  static String subscribe(final String ref, final Channel channel, final Optional<String> cursor) {
    final ObjectNode frame = request("subscribe", ref);
    frame.put("channel", channel.name());
    cursor.ifPresent(c -> frame.put("cursor", c));
    if (!channel.types().isEmpty()) {
      final ArrayNode types = frame.putArray("types");
      channel.types().forEach(types::add);
    }
    return frame.toString();
  }

  /** {@code {"op":"auth","ref":…,"token":…}}. */
  static String auth(final String ref, final String token) {
    return request("auth", ref).put("token", token).toString();
  }

  /** {@code {"op":"ping","ref":…}}. */
  static String ping(final String ref) {
    return request("ping", ref).toString();
  }

  /** Reads one text frame from the gateway. */
  static Inbound decode(final String text) {
    final JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return new Inbound.Malformed("not JSON: " + e.getOriginalMessage());
    }
    if (frame == null || !frame.isObject()) {
      return new Inbound.Malformed("not a JSON object");
    }
    final Optional<String> op = text(frame, "op");
    if (op.isEmpty()) {
      return new Inbound.Malformed("no op");
    }
    try {
      return decode(op.get(), frame);
    } catch (MissingField e) {
      return new Inbound.Malformed(op.get() + " frame without a valid " + e.getMessage());
    }
  }

  private static Inbound decode(final String op, final JsonNode frame) {
    switch (op) {
      case "event": {
        final JsonNode ts = frame.get("ts");
        if (ts == null || !ts.canConvertToLong()) {
          throw new MissingField("ts");
        }
        return new Inbound.EventFrame(new Event(required(frame, "channel"), required(frame, "id"),
            required(frame, "type"), required(frame, "cursor"), Instant.ofEpochMilli(ts.longValue()),
            data(frame)));
      }
      case "subscribed": {
        final JsonNode recovered = frame.get("recovered");
        return new Inbound.SubscribedReply(required(frame, "ref"), new Subscribed(required(frame, "channel"),
            recovered != null && recovered.asBoolean(false), text(frame, "cursor")));
      }
      case "snapshot":
        return new Inbound.SnapshotFrame(
            new Snapshot(required(frame, "channel"), text(frame, "cursor"), data(frame)));
      case "error": {
        final String code = required(frame, "code");
        return new Inbound.ErrorFrame(text(frame, "ref"), ErrorCode.fromWire(code), code,
            text(frame, "message").orElse(code));
      }
      case "pong":
        return new Inbound.Pong(text(frame, "ref").orElse(""));
      case "authenticated":
        return new Inbound.Authenticated(required(frame, "ref"));
      case "unsubscribed":
        return new Inbound.UnsubscribedReply(required(frame, "ref"), required(frame, "channel"));
      default:
        return new Inbound.Unknown(op);
    }
  }

  private static ObjectNode request(final String op, final String ref) {
    final ObjectNode frame = JSON.createObjectNode();
    frame.put("op", op);
    frame.put("ref", ref);
    return frame;
  }

  private static JsonNode data(final JsonNode frame) {
    final JsonNode data = frame.get("data");
    return data == null ? JSON.createObjectNode() : data;
  }

  private static Optional<String> text(final JsonNode frame, final String field) {
    final JsonNode node = frame.get(field);
    return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
  }

  private static String required(final JsonNode frame, final String field) {
    return text(frame, field).orElseThrow(() -> new MissingField(field));
  }

  /** Control flow inside {@link #decode(String)} only; never escapes. */
  private static final class MissingField extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingField(final String field) {
      super(field, null, false, false);
    }
  }
}
