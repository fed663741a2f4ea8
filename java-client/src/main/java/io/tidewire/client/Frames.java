package io.tidewire.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.protocol.ClientOp;
import io.tidewire.protocol.Field;
import io.tidewire.protocol.ProtocolCodes;
import io.tidewire.protocol.ProtocolCodes.Advice;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.protocol.ServerOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the client's frames and reads the gateway's (protocol v1, whose ops, fields and codes
 * are {@code io.tidewire.protocol}'s). Unknown fields are ignored; an unknown {@code op} decodes
 * to {@link Inbound.Unknown} and an unknown error code to an empty {@code code}, so a newer
 * gateway does not break an older client.
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

    /**
     * {@code error}; {@code code} is empty for a code this client does not know (a newer
     * gateway), {@code wireCode} is the code as sent.
     */
    record ErrorFrame(Optional<String> ref, Optional<ErrorCode> code, String wireCode, String message)
        implements Inbound {
      /** What to do about it: the code's advice; retry for an unknown code. */
      Advice advice() {
        return ProtocolCodes.adviceForError(wireCode);
      }
    }

    /** {@code pong}. */
    record Pong(String ref) implements Inbound {}

    /** {@code authenticated}. */
    record Authenticated(String ref) implements Inbound {}

    /** A frame about one broadcast/presence channel ({@link BroadcastChannel}). */
    sealed interface ChannelFrame extends Inbound {
      String channel();
    }

    /** {@code joined}; the channel's presence state if the gateway sent it along. */
    record Joined(String ref, String channel, Optional<PresenceState> presence) implements ChannelFrame {}

    /** {@code left}. */
    record Left(String ref, String channel) implements ChannelFrame {}

    /** {@code broadcast} from the gateway. */
    record BroadcastFrame(Broadcast broadcast) implements ChannelFrame {
      @Override
      public String channel() {
        return broadcast.channel();
      }
    }

    /** {@code broadcast_ack}. */
    record BroadcastAck(String ref, String channel, String id) implements ChannelFrame {}

    /** {@code tracked} or {@code untracked}. */
    record TrackReply(String ref, String channel) implements ChannelFrame {}

    /** {@code presence_diff}. */
    record PresenceDiff(String channel, Map<String, List<Presence>> joins, Map<String, List<Presence>> leaves)
        implements ChannelFrame {}

    /** A well-formed frame with an op this client does not know. */
    record Unknown(String op) implements Inbound {}

    /** Not a frame this client can read. */
    record Malformed(String problem) implements Inbound {}
  }

  /**
   * {@code {"op":"subscribe","ref":…,"channel":…,"cursor":…?,"types":[…]?,"snapshot":true?}}; the
   * snapshot is asked for only without a cursor (with one the gateway resumes instead).
   */
  static String subscribe(final String ref, final Channel channel, final Optional<String> cursor) {
    final ObjectNode frame = request(ClientOp.SUBSCRIBE, ref);
    frame.put(Field.CHANNEL, channel.name());
    cursor.ifPresent(c -> frame.put(Field.CURSOR, c));
    if (cursor.isEmpty() && channel.initialState()) {
      frame.put(Field.SNAPSHOT, true);
    }
    if (!channel.types().isEmpty()) {
      final ArrayNode types = frame.putArray(Field.TYPES);
      channel.types().forEach(types::add);
    }
    return frame.toString();
  }

  /** {@code {"op":"join","ref":…,"channel":…,"self":…,"ack":…}}. */
  static String join(final String ref, final String channel, final ChannelOptions options) {
    return request(ClientOp.JOIN, ref).put(Field.CHANNEL, channel).put(Field.SELF, options.self())
        .put(Field.ACK, options.ack()).toString();
  }

  /** {@code {"op":"leave","ref":…,"channel":…}}. */
  static String leave(final String ref, final String channel) {
    return request(ClientOp.LEAVE, ref).put(Field.CHANNEL, channel).toString();
  }

  /** {@code {"op":"broadcast","ref":…,"channel":…,"event":…,"payload":…}}. */
  static String broadcast(final String ref, final String channel, final String event, final JsonNode payload) {
    final ObjectNode frame = request(ClientOp.BROADCAST, ref).put(Field.CHANNEL, channel).put(Field.EVENT, event);
    frame.set(Field.PAYLOAD, payload);
    return frame.toString();
  }

  /** {@code {"op":"track","ref":…,"channel":…,"meta":…}}. */
  static String track(final String ref, final String channel, final JsonNode meta) {
    final ObjectNode frame = request(ClientOp.TRACK, ref).put(Field.CHANNEL, channel);
    frame.set(Field.META, meta);
    return frame.toString();
  }

  /** {@code {"op":"untrack","ref":…,"channel":…}}. */
  static String untrack(final String ref, final String channel) {
    return request(ClientOp.UNTRACK, ref).put(Field.CHANNEL, channel).toString();
  }

  /** {@code {"op":"auth","ref":…,"token":…}}. */
  static String auth(final String ref, final String token) {
    return request(ClientOp.AUTH, ref).put(Field.TOKEN, token).toString();
  }

  /** {@code {"op":"ping","ref":…}}. */
  static String ping(final String ref) {
    return request(ClientOp.PING, ref).toString();
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
    final Optional<String> op = text(frame, Field.OP);
    if (op.isEmpty()) {
      return new Inbound.Malformed("no op");
    }
    final Optional<ServerOp> known = ServerOp.fromWire(op.get());
    if (known.isEmpty()) {
      return new Inbound.Unknown(op.get());
    }
    try {
      return decode(known.get(), frame);
    } catch (MissingField e) {
      return new Inbound.Malformed(op.get() + " frame without a valid " + e.getMessage());
    }
  }

  private static Inbound decode(final ServerOp op, final JsonNode frame) {
    return switch (op) {
      case EVENT -> {
        final JsonNode ts = frame.get(Field.TS);
        if (ts == null || !ts.canConvertToLong()) {
          throw new MissingField(Field.TS);
        }
        yield new Inbound.EventFrame(new Event(required(frame, Field.CHANNEL),
            required(frame, Field.ID), required(frame, Field.TYPE), required(frame, Field.CURSOR),
            Instant.ofEpochMilli(ts.longValue()), data(frame)));
      }
      case SUBSCRIBED -> {
        final JsonNode recovered = frame.get(Field.RECOVERED);
        yield new Inbound.SubscribedReply(required(frame, Field.REF),
            new Subscribed(required(frame, Field.CHANNEL), recovered != null && recovered.asBoolean(false),
                text(frame, Field.CURSOR)));
      }
      case SNAPSHOT -> new Inbound.SnapshotFrame(
          new Snapshot(required(frame, Field.CHANNEL), text(frame, Field.CURSOR), data(frame)));
      case ERROR -> {
        final String code = required(frame, Field.CODE);
        yield new Inbound.ErrorFrame(text(frame, Field.REF), ErrorCode.fromWire(code), code,
            text(frame, Field.MESSAGE).orElse(code));
      }
      case PONG -> new Inbound.Pong(text(frame, Field.REF).orElse(""));
      case AUTHENTICATED -> new Inbound.Authenticated(required(frame, Field.REF));
      case UNSUBSCRIBED ->
          new Inbound.UnsubscribedReply(required(frame, Field.REF), required(frame, Field.CHANNEL));
      case JOINED, LEFT, BROADCAST, BROADCAST_ACK, TRACKED, UNTRACKED, PRESENCE_DIFF ->
          decodeChannelFrame(op, frame);
    };
  }

  /** The broadcast and presence frames (docs/PROTOCOL.md "Broadcast and presence"). */
  private static Inbound decodeChannelFrame(final ServerOp op, final JsonNode frame) {
    final String channel = required(frame, Field.CHANNEL);
    return switch (op) {
      case JOINED -> new Inbound.Joined(required(frame, Field.REF), channel,
          frame.has(Field.PRESENCE) ? Optional.of(new PresenceState(presences(frame.get(Field.PRESENCE))))
              : Optional.empty());
      case LEFT -> new Inbound.Left(required(frame, Field.REF), channel);
      case BROADCAST -> {
        final JsonNode payload = frame.get(Field.PAYLOAD);
        yield new Inbound.BroadcastFrame(new Broadcast(channel, required(frame, Field.ID),
            required(frame, Field.EVENT), text(frame, Field.FROM).orElse(""),
            payload == null || !payload.isObject() ? JSON.createObjectNode() : payload));
      }
      case BROADCAST_ACK -> new Inbound.BroadcastAck(required(frame, Field.REF), channel,
          required(frame, Field.ID));
      case TRACKED, UNTRACKED -> new Inbound.TrackReply(required(frame, Field.REF), channel);
      case PRESENCE_DIFF -> new Inbound.PresenceDiff(channel, presences(frame.get(Field.JOINS)),
          presences(frame.get(Field.LEAVES)));
      default -> throw new IllegalArgumentException("not a channel frame: " + op);
    };
  }

  /** {@code {"<user id>":[{"ref":…,"meta":{…}}, …], …}}; a missing map is empty. */
  private static Map<String, List<Presence>> presences(final JsonNode node) {
    final Map<String, List<Presence>> users = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return users;
    }
    if (!node.isObject()) {
      throw new MissingField("presence map");
    }
    node.fields().forEachRemaining(entry -> {
      if (!entry.getValue().isArray()) {
        throw new MissingField("presence list of " + entry.getKey());
      }
      final List<Presence> list = new ArrayList<>();
      for (final JsonNode presence : entry.getValue()) {
        final JsonNode meta = presence.get(Field.META);
        list.add(new Presence(required(presence, Field.REF), meta == null ? JSON.createObjectNode() : meta));
      }
      users.put(entry.getKey(), list);
    });
    return users;
  }

  private static ObjectNode request(final ClientOp op, final String ref) {
    final ObjectNode frame = JSON.createObjectNode();
    frame.put(Field.OP, op.wire());
    frame.put(Field.REF, ref);
    return frame;
  }

  private static JsonNode data(final JsonNode frame) {
    final JsonNode data = frame.get(Field.DATA);
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
