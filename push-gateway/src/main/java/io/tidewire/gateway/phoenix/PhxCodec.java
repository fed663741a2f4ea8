package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The two Phoenix serializers realtime-js speaks, chosen by the {@code vsn} query parameter:
 * {@code 1.0.0} sends every message as a JSON object {@code {join_ref, ref, topic, event,
 * payload}}, {@code 2.0.0} as a JSON array {@code [join_ref, ref, topic, event, payload]}, plus the
 * binary frame realtime-js sends every {@code channel.send} broadcast as (a "user broadcast push",
 * kind 3: {@link #decodeBinary}). The server's broadcasts go out as JSON text with either
 * {@code vsn} (realtime-js reads them; it never needs the server's binary kind 4). Pure functions.
 */
public enum PhxCodec {
  /** JSON objects. */
  V1("1.0.0"),
  /** JSON arrays. */
  V2("2.0.0");

  /** The largest ref, join ref or topic accepted (realtime-js's binary frames allow 255). */
  static final int MAX_NAME_LENGTH = 255;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int USER_BROADCAST_PUSH = 3;
  private static final int USER_BROADCAST_PUSH_HEADER = 7;
  private static final int BINARY_ENCODING = 0;
  private static final int JSON_ENCODING = 1;

  private final String vsn;

  PhxCodec(final String vsn) {
    this.vsn = vsn;
  }

  /** The {@code vsn} parameter's value. */
  public String vsn() {
    return vsn;
  }

  /** The codec of a {@code vsn} parameter; absent means {@code 1.0.0}, as Phoenix has it. */
  public static Optional<PhxCodec> of(final Optional<String> vsn) {
    if (vsn.isEmpty()) {
      return Optional.of(V1);
    }
    for (final PhxCodec codec : values()) {
      if (codec.vsn.equals(vsn.get())) {
        return Optional.of(codec);
      }
    }
    return Optional.empty();
  }

  /**
   * Reads one text frame.
   *
   * @throws PhxFormatException if it is not a message of this serializer
   */
  public PhxMessage decode(final String text) {
    final JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new PhxFormatException("not JSON");
    }
    final JsonNode joinRef;
    final JsonNode ref;
    final JsonNode topic;
    final JsonNode event;
    final JsonNode payload;
    if (this == V2) {
      if (root == null || !root.isArray() || root.size() != 5) {
        throw new PhxFormatException("expected [join_ref, ref, topic, event, payload]");
      }
      joinRef = root.get(0);
      ref = root.get(1);
      topic = root.get(2);
      event = root.get(3);
      payload = root.get(4);
    } else {
      if (root == null || !root.isObject()) {
        throw new PhxFormatException("expected {topic, event, payload, ref, join_ref}");
      }
      joinRef = root.get("join_ref");
      ref = root.get("ref");
      topic = root.get("topic");
      event = root.get("event");
      payload = root.get("payload");
    }
    if (topic == null || !topic.isTextual() || topic.textValue().isEmpty()
        || topic.textValue().length() > MAX_NAME_LENGTH) {
      throw new PhxFormatException("topic must be a string of 1 to " + MAX_NAME_LENGTH + " characters");
    }
    if (event == null || !event.isTextual() || event.textValue().isEmpty()) {
      throw new PhxFormatException("event must be a non-empty string");
    }
    return new PhxMessage(name(joinRef, "join_ref"), name(ref, "ref"), topic.textValue(),
        event.textValue(), payload == null || payload.isNull() ? JsonNodeFactory.instance.objectNode() : payload);
  }

  /**
   * Reads one binary frame: with {@code 2.0.0}, a user broadcast push (kind 3: kind, then the
   * lengths of join ref, ref, topic, user event and metadata, the payload's encoding — 0 binary, 1
   * JSON — then those strings and the payload). It becomes the {@code broadcast} message
   * {@code {"type":"broadcast","event":…,"payload":…}} a JSON push would be; a binary-encoded
   * payload is kept as a binary node (the caller refuses it). The metadata is ignored, as Supabase
   * does.
   *
   * @throws PhxFormatException if it is not such a frame
   */
  public PhxMessage decodeBinary(final ByteBuffer frame) {
    if (this != V2) {
      throw new PhxFormatException("vsn " + vsn + " has no binary frames");
    }
    final ByteBuffer in = frame.duplicate();
    if (in.remaining() < USER_BROADCAST_PUSH_HEADER || (in.get() & 0xff) != USER_BROADCAST_PUSH) {
      throw new PhxFormatException("expected a user broadcast push (binary kind " + USER_BROADCAST_PUSH + ")");
    }
    final int joinRefLength = in.get() & 0xff;
    final int refLength = in.get() & 0xff;
    final int topicLength = in.get() & 0xff;
    final int eventLength = in.get() & 0xff;
    final int metadataLength = in.get() & 0xff;
    final int encoding = in.get() & 0xff;
    if (encoding != BINARY_ENCODING && encoding != JSON_ENCODING) {
      throw new PhxFormatException("unknown payload encoding " + encoding);
    }
    if (in.remaining() < joinRefLength + refLength + topicLength + eventLength + metadataLength) {
      throw new PhxFormatException("the frame is shorter than its header says");
    }
    final String joinRef = string(in, joinRefLength);
    final String ref = string(in, refLength);
    final String topic = string(in, topicLength);
    final String event = string(in, eventLength);
    in.position(in.position() + metadataLength);
    final byte[] payload = new byte[in.remaining()];
    in.get(payload);
    if (topic.isEmpty() || event.isEmpty()) {
      throw new PhxFormatException("topic and event must not be empty");
    }
    final ObjectNode broadcast = JsonNodeFactory.instance.objectNode();
    broadcast.put("type", "broadcast");
    broadcast.put("event", event);
    if (encoding == BINARY_ENCODING) {
      broadcast.set("payload", JsonNodeFactory.instance.binaryNode(payload));
    } else {
      try {
        broadcast.set("payload", JSON.readTree(payload));
      } catch (java.io.IOException e) {
        throw new PhxFormatException("the payload is not JSON");
      }
    }
    return new PhxMessage(Optional.of(joinRef).filter(r -> !r.isEmpty()), Optional.of(ref).filter(r -> !r.isEmpty()),
        topic, "broadcast", broadcast);
  }

  /** Writes one message as a text frame. */
  public String encode(final PhxMessage message) {
    final JsonNode joinRef = message.joinRef().<JsonNode>map(JsonNodeFactory.instance::textNode)
        .orElse(JsonNodeFactory.instance.nullNode());
    final JsonNode ref = message.ref().<JsonNode>map(JsonNodeFactory.instance::textNode)
        .orElse(JsonNodeFactory.instance.nullNode());
    try {
      if (this == V2) {
        final ArrayNode array = JSON.createArrayNode();
        array.add(joinRef).add(ref).add(message.topic()).add(message.event()).add(message.payload());
        return JSON.writeValueAsString(array);
      }
      final ObjectNode object = JSON.createObjectNode();
      object.set("join_ref", joinRef);
      object.set("ref", ref);
      object.put("topic", message.topic());
      object.put("event", message.event());
      object.set("payload", message.payload());
      return JSON.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  private static String string(final ByteBuffer in, final int length) {
    final byte[] bytes = new byte[length];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static Optional<String> name(final JsonNode node, final String field) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (node.isTextual() && node.textValue().length() <= MAX_NAME_LENGTH) {
      return Optional.of(node.textValue());
    }
    if (node.isIntegralNumber()) {
      return Optional.of(node.asText()); // some clients send numeric refs
    }
    throw new PhxFormatException(field + " must be a string of at most " + MAX_NAME_LENGTH + " characters");
  }

  /** A frame that is not a message of the connection's serializer. */
  public static final class PhxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PhxFormatException(final String message) {
      super(message);
    }
  }
}
