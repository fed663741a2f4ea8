package io.tidewire.gateway.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tidewire.gateway.broadcast.ChannelNames;
import io.tidewire.protocol.ClientOp;
import io.tidewire.protocol.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a client's text frame into a {@link ClientFrame}, or into the {@code bad_request} error to
 * answer it with. Never throws on client input. Echoes the frame's {@code ref} in the error when
 * the frame was a JSON object with a string {@code ref}. Unknown fields are ignored (forward
 * compatibility); duplicate fields are rejected.
 *
 * <p>Does not check size (the session does, before decoding) nor whether a {@code user:<id>}
 * channel is the caller's (the session knows the caller).
 *
 * <p>Stateless and thread-safe.
 */
public final class FrameDecoder {

  /** Longest accepted ref. */
  public static final int MAX_REF_LENGTH = 64;
  /** Longest accepted token in an {@code auth} op. */
  public static final int MAX_TOKEN_LENGTH = 8192;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private FrameDecoder() {}

  /** Decodes one text frame. */
  public static Decoded decode(final String text, final CursorCodec cursors) {
    final JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return invalid(Optional.empty(), "malformed JSON");
    }
    if (root == null || !root.isObject()) {
      return invalid(Optional.empty(), "a frame must be a JSON object");
    }
    final JsonNode refNode = root.get(Field.REF);
    if (refNode == null || refNode.isNull()) {
      return invalid(Optional.empty(), "missing ref");
    }
    if (!refNode.isTextual() || refNode.textValue().isEmpty()
        || refNode.textValue().length() > MAX_REF_LENGTH) {
      return invalid(Optional.empty(), "ref must be a string of 1 to " + MAX_REF_LENGTH + " characters");
    }
    final String ref = refNode.textValue();
    final Optional<String> echo = Optional.of(ref);
    final JsonNode opNode = root.get(Field.OP);
    if (opNode == null || !opNode.isTextual()) {
      return invalid(echo, "missing op");
    }
    final Optional<ClientOp> op = ClientOp.fromWire(opNode.textValue());
    if (op.isEmpty()) {
      return invalid(echo, "unknown op");
    }
    return switch (op.get()) {
      case PING -> new Decoded.Request(new ClientFrame.Ping(ref));
      case SUBSCRIBE -> subscribe(root, ref, cursors);
      case UNSUBSCRIBE -> unsubscribe(root, ref);
      case AUTH -> auth(root, ref);
      case JOIN -> join(root, ref);
      case LEAVE -> named(root, ref).map(c -> request(new ClientFrame.Leave(ref, c)));
      case BROADCAST -> broadcast(root, ref);
      case TRACK -> track(root, ref);
      case UNTRACK -> named(root, ref).map(c -> request(new ClientFrame.Untrack(ref, c)));
    };
  }

  private static Decoded subscribe(final JsonNode root, final String ref, final CursorCodec cursors) {
    final Optional<String> echo = Optional.of(ref);
    final Optional<Channel> channel = channel(root);
    if (channel.isEmpty()) {
      return invalidChannel(root, echo);
    }
    Optional<Cursor> cursor = Optional.empty();
    boolean unsigned = false;
    final JsonNode cursorNode = root.get(Field.CURSOR);
    if (cursorNode != null && !cursorNode.isNull()) {
      if (!cursorNode.isTextual()) {
        return invalid(echo, "cursor must be a string");
      }
      if (CursorCodec.isUnsigned(cursorNode.textValue())) {
        unsigned = true; // of an earlier release: resumed without recovery, not refused
      } else {
        try {
          cursor = Optional.of(cursors.decode(cursorNode.textValue()));
        } catch (InvalidCursorException e) {
          return invalid(echo, "invalid cursor: " + e.getMessage());
        }
      }
    }
    TypeFilter types = TypeFilter.all();
    final JsonNode typesNode = root.get(Field.TYPES);
    if (typesNode != null && !typesNode.isNull()) {
      if (!typesNode.isArray()) {
        return invalid(echo, "types must be an array of strings");
      }
      final List<String> globs = new ArrayList<>();
      for (final JsonNode glob : typesNode) {
        if (!glob.isTextual()) {
          return invalid(echo, "types must be an array of strings");
        }
        globs.add(glob.textValue());
      }
      final Optional<String> problem = TypeFilter.problem(globs);
      if (problem.isPresent()) {
        return invalid(echo, problem.get());
      }
      types = TypeFilter.of(globs).orElseThrow();
    }
    boolean snapshot = false;
    final JsonNode snapshotNode = root.get(Field.SNAPSHOT);
    if (snapshotNode != null && !snapshotNode.isNull()) {
      if (!snapshotNode.isBoolean()) {
        return invalid(echo, "snapshot must be a boolean");
      }
      snapshot = snapshotNode.booleanValue();
      if (snapshot && channel.get().kind() != Channel.Kind.USER) {
        return invalid(echo, "snapshot is only available on the user channel");
      }
    }
    return new Decoded.Request(new ClientFrame.Subscribe(ref, channel.get(), cursor, types, unsigned,
        snapshot));
  }

  private static Decoded unsubscribe(final JsonNode root, final String ref) {
    final Optional<Channel> channel = channel(root);
    if (channel.isEmpty()) {
      return invalidChannel(root, Optional.of(ref));
    }
    return new Decoded.Request(new ClientFrame.Unsubscribe(ref, channel.get()));
  }

  private static Decoded auth(final JsonNode root, final String ref) {
    final JsonNode token = root.get(Field.TOKEN);
    if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
      return invalid(Optional.of(ref), "missing token");
    }
    if (token.textValue().length() > MAX_TOKEN_LENGTH) {
      return invalid(Optional.of(ref), "token too long");
    }
    return new Decoded.Request(new ClientFrame.Auth(ref, token.textValue()));
  }

  /** A channel name, or the error of a missing or invalid one. */
  private record Named(Optional<String> channel, Decoded error) {
    Decoded map(final Function<String, Decoded> then) {
      return channel.map(then).orElse(error);
    }
  }

  private static Named named(final JsonNode root, final String ref) {
    final JsonNode node = root.get(Field.CHANNEL);
    if (node == null || node.isNull()) {
      return new Named(Optional.empty(), invalid(Optional.of(ref), "missing channel"));
    }
    if (!node.isTextual() || !ChannelNames.isChannel(node.textValue())) {
      return new Named(Optional.empty(), invalid(Optional.of(ref),
          "channel must be " + ChannelNames.channelSyntax()));
    }
    return new Named(Optional.of(node.textValue()), null);
  }

  private static Decoded join(final JsonNode root, final String ref) {
    final Optional<Boolean> self = flag(root, Field.SELF);
    final Optional<Boolean> ack = flag(root, Field.ACK);
    if (self.isEmpty() || ack.isEmpty()) {
      return invalid(Optional.of(ref), (self.isEmpty() ? Field.SELF : Field.ACK) + " must be a boolean");
    }
    return named(root, ref).map(c -> request(new ClientFrame.Join(ref, c, self.get(), ack.get())));
  }

  private static Decoded broadcast(final JsonNode root, final String ref) {
    final JsonNode event = root.get(Field.EVENT);
    if (event == null || !event.isTextual() || !ChannelNames.isEvent(event.textValue())) {
      return invalid(Optional.of(ref), "event must be " + ChannelNames.eventSyntax());
    }
    final Optional<String> payload = object(root, Field.PAYLOAD);
    if (payload.isEmpty()) {
      return invalid(Optional.of(ref), "payload must be a JSON object");
    }
    return named(root, ref).map(c -> request(new ClientFrame.Broadcast(ref, c, event.textValue(),
        payload.get())));
  }

  private static Decoded track(final JsonNode root, final String ref) {
    final Optional<String> meta = object(root, Field.META);
    if (meta.isEmpty()) {
      return invalid(Optional.of(ref), "meta must be a JSON object");
    }
    return named(root, ref).map(c -> request(new ClientFrame.Track(ref, c, meta.get())));
  }

  /** An optional boolean field: false when absent or null, empty when not a boolean. */
  private static Optional<Boolean> flag(final JsonNode root, final String field) {
    final JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return Optional.of(false);
    }
    return node.isBoolean() ? Optional.of(node.booleanValue()) : Optional.empty();
  }

  /** An optional JSON object field as compact text: {@code {}} when absent or null, empty when not an object. */
  private static Optional<String> object(final JsonNode root, final String field) {
    final JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return Optional.of("{}");
    }
    return node.isObject() ? Optional.of(node.toString()) : Optional.empty();
  }

  private static Decoded request(final ClientFrame frame) {
    return new Decoded.Request(frame);
  }

  private static Optional<Channel> channel(final JsonNode root) {
    final JsonNode node = root.get(Field.CHANNEL);
    return node != null && node.isTextual() ? Channel.parse(node.textValue()) : Optional.empty();
  }

  private static Decoded invalidChannel(final JsonNode root, final Optional<String> echo) {
    final JsonNode node = root.get(Field.CHANNEL);
    return invalid(echo, node == null || node.isNull() ? "missing channel"
        : node.isTextual() ? "unknown channel" : "channel must be a string");
  }

  private static Decoded invalid(final Optional<String> ref, final String message) {
    return new Decoded.Invalid(ProtocolError.badRequest(ref, message));
  }
}
