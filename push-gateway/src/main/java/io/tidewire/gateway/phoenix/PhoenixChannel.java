package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.OutboundFrame;
import io.tidewire.gateway.session.OutboundQueue;
import io.tidewire.gateway.session.Outlet;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One joined Phoenix channel ({@code realtime:<name>}) as the {@link Outlet} of the
 * {@link io.tidewire.gateway.session.ClientSession} that serves it: the session core subscribes to
 * the streams the channel's bindings need (the user stream for owned tables, the public stream for
 * public ones), replays from the channel's position if it has one, and hands every reply and event
 * here, where they become Supabase's frames on the connection's queue:
 * <ul>
 *   <li>once every stream is subscribed (live, or caught up from the position), one
 *       {@code system} message {@code "Subscribed to PostgreSQL"} — so it never comes before the
 *       stream is attached (realtime-js#525);
 *   <li>a row change becomes {@code postgres_changes} {@code {ids, data}} with the ids of the
 *       bindings it matches (none: not sent); other events are not sent;
 *   <li>if a binding carries {@link PgBinding#POSITION_KEY}, a {@code system} message of extension
 *       {@code tidewire} with the position after each change (and in the subscribed message);
 *   <li>the session ending (token expired) becomes a {@code system} error, then {@code phx_close}.
 * </ul>
 *
 * <p>A channel whose topic maps to a broadcast/presence channel of the core ({@link Room}) is a
 * member of it through the same session (the core's {@code join}, {@code broadcast},
 * {@code track}, {@code untrack} requests, with refs made by {@link #pushRef}), and writes the
 * core's replies as Phoenix's:
 * <ul>
 *   <li>the join's state: {@code presence_state} {@code {key: {metas: [{phx_ref, …meta}]}}}, if the
 *       join asked for presence;
 *   <li>a broadcast: {@code broadcast} {@code {type: "broadcast", event, payload, meta: {id}}};
 *   <li>a presence diff: {@code presence_diff} {@code {joins, leaves}} in the state's shape;
 *   <li>an acknowledged broadcast, a stored track or untrack: {@code phx_reply} {@code ok} to the
 *       push's ref; a refused one (a limit, a rate): {@code phx_reply} {@code error} with the
 *       core's reason.
 * </ul>
 *
 * <p>Thread-safe: the session calls it from its draining thread, one call at a time; the
 * connection reads {@link #joinRef()} and {@link #topic()}.
 */
final class PhoenixChannel implements Outlet {

  /** The core ref of the join of the channel's room: its reply carries the presence state. */
  static final String ROOM_JOIN = "phx-join";
  /** The prefix of the core ref of a push (the push's ref follows): its reply goes to that push. */
  private static final String PUSH = "phx:";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PhoenixConnection connection;
  private final String topic;
  private final String joinRef;
  private final List<PgBinding> bindings;
  private final Optional<Room> room;
  private final String closed;
  private final Set<Channel.Kind> kinds;
  private final boolean positions;
  // Confined to the session's draining thread.
  private final Map<Channel.Kind, String> cursors = new EnumMap<>(Channel.Kind.class);
  private final Set<Channel.Kind> subscribed = EnumSet.noneOf(Channel.Kind.class);
  private boolean recovered = true;

  /**
   * @param room the core channel the topic maps to, if the channel may broadcast and track
   * @param closed otherwise, why not (for the error replies to its broadcasts and tracks)
   */
  PhoenixChannel(final PhoenixConnection connection, final String topic, final String joinRef,
      final List<PgBinding> bindings, final Optional<Room> room, final String closed) {
    this.connection = connection;
    this.topic = topic;
    this.joinRef = joinRef;
    this.bindings = List.copyOf(bindings);
    this.room = room;
    this.closed = closed;
    final Set<Channel.Kind> needed = EnumSet.noneOf(Channel.Kind.class);
    bindings.forEach(b -> needed.addAll(b.sources()));
    this.kinds = Set.copyOf(needed);
    this.positions = bindings.stream().anyMatch(PgBinding::wantsPositions);
  }

  String topic() {
    return topic;
  }

  String joinRef() {
    return joinRef;
  }

  /** The core channel the topic maps to, if the channel may broadcast and track. */
  Optional<Room> room() {
    return room;
  }

  /** Why the channel may not broadcast nor track (when it has no room). */
  String closed() {
    return closed;
  }

  /** The core ref of a push: its reply (if any) goes to the push's ref. */
  static String pushRef(final Optional<String> ref) {
    return PUSH + ref.orElse("");
  }

  /** The streams the channel subscribes to. */
  Set<Channel.Kind> kinds() {
    return kinds;
  }

  @Override
  public OutboundQueue queue() {
    return connection.queue();
  }

  @Override
  public Optional<OutboundFrame> reply(final Reply reply) {
    if (reply instanceof Reply.Subscribed s) {
      cursors.put(s.channel().kind(), connection.cursor(s.cursor()));
      recovered = recovered && s.recovered();
      subscribed.add(s.channel().kind());
      if (!subscribed.equals(kinds)) {
        return Optional.empty();
      }
      final ObjectNode payload = system("postgres_changes", "ok", "Subscribed to PostgreSQL");
      if (positions) {
        payload.put("position", Position.write(cursors));
        payload.put("recovered", recovered);
      }
      return Optional.of(frame("system", payload));
    }
    if (reply instanceof Reply.Joined joined) {
      return room.filter(Room::presence).map(r -> frame("presence_state", presences(joined.presences())));
    }
    if (reply instanceof Reply.Broadcast broadcast) {
      final BroadcastMessage message = broadcast.message();
      final ObjectNode payload = JsonNodeFactory.instance.objectNode();
      payload.put("type", "broadcast");
      payload.put("event", message.event());
      payload.putRawValue("payload", new RawValue(message.payload()));
      payload.putObject("meta").put("id", message.id());
      return Optional.of(frame("broadcast", payload));
    }
    if (reply instanceof Reply.PresenceChanged changed) {
      final ObjectNode payload = JsonNodeFactory.instance.objectNode();
      payload.set("joins", presences(changed.diff().joins()));
      payload.set("leaves", presences(changed.diff().leaves()));
      return Optional.of(frame("presence_diff", payload));
    }
    if (reply instanceof Reply.BroadcastAck ack) {
      return answer(ack.ref(), "ok", JsonNodeFactory.instance.objectNode());
    }
    if (reply instanceof Reply.Tracked tracked) {
      return answer(tracked.ref(), "ok", JsonNodeFactory.instance.objectNode());
    }
    if (reply instanceof Reply.Untracked untracked) {
      return answer(untracked.ref(), "ok", JsonNodeFactory.instance.objectNode());
    }
    if (reply instanceof ProtocolError error && error.ref().filter(r -> r.startsWith(PUSH)).isPresent()) {
      // a broadcast or presence push refused by the core: a limit, a rate, Kafka
      final ObjectNode response = JsonNodeFactory.instance.objectNode();
      response.put("reason", error.code().wire() + ": " + error.message());
      return answer(error.ref().get(), "error", response);
    }
    if (reply instanceof ProtocolError error && error.ref().equals(Optional.of(ROOM_JOIN))) {
      return Optional.of(frame("system", system("system", "error", error.message())));
    }
    if (reply instanceof ProtocolError error) {
      // a subscription of the channel failed before it was live (e.g. too many replays at once)
      return Optional.of(frame("system", system("postgres_changes", "error", message(error))));
    }
    return Optional.empty(); // snapshots, pongs, token replacements, left: nothing in Supabase's protocol
  }

  /** The {@code phx_reply} to the push a core ref names; none to a push without a ref. */
  private Optional<OutboundFrame> answer(final String coreRef, final String status, final JsonNode response) {
    if (!coreRef.startsWith(PUSH) || coreRef.length() == PUSH.length()) {
      return Optional.empty();
    }
    final ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("status", status);
    payload.set("response", response);
    return Optional.of(connection.frame(new PhxMessage(Optional.of(joinRef),
        Optional.of(coreRef.substring(PUSH.length())), topic, "phx_reply", payload)));
  }

  /**
   * Presences in Phoenix presence's shape: key → {@code {metas: [{…meta, phx_ref}]}}, keys in the
   * order of their first presence.
   */
  static ObjectNode presences(final List<Presence> presences) {
    final ObjectNode byKey = JsonNodeFactory.instance.objectNode();
    for (final Presence presence : presences) {
      final JsonNode entry = byKey.get(presence.key());
      final ArrayNode metas = entry == null ? byKey.putObject(presence.key()).putArray("metas")
          : (ArrayNode) entry.get("metas");
      final ObjectNode meta = metas.addObject();
      try {
        if (JSON.readTree(presence.meta()) instanceof ObjectNode fields) {
          meta.setAll(fields);
        }
      } catch (JsonProcessingException e) {
        // a meta is a JSON object by construction (the core checks it): nothing to add
      }
      meta.put("phx_ref", presence.ref());
    }
    return byKey;
  }

  @Override
  public List<OutboundFrame> event(final EncodedEvent event) {
    final Channel.Kind kind = event.owner().isPresent() ? Channel.Kind.USER : Channel.Kind.PUBLIC;
    final Optional<RowEvent> row = RowEvent.of(event.frame());
    if (row.isEmpty()) {
      return List.of();
    }
    final RowEvent change = row.get();
    if (!change.cursor().isEmpty()) {
      cursors.put(kind, change.cursor());
    }
    final Optional<String> schema = change.schema().or(() -> connection.schemaOf(kind, change.table()));
    final List<Integer> ids = new ArrayList<>();
    if (schema.isPresent()) {
      for (final PgBinding binding : bindings) {
        if (binding.matches(kind, schema.get(), change.table(), change.type(), change.filtered())
            && !ids.contains(binding.id())) {
          ids.add(binding.id());
        }
      }
    }
    final List<OutboundFrame> frames = new ArrayList<>(2);
    if (!ids.isEmpty()) {
      final ObjectNode payload = JsonNodeFactory.instance.objectNode();
      final ArrayNode array = payload.putArray("ids");
      ids.forEach(array::add);
      payload.set("data", change.data(schema.get(), connection.config().maxRecordBytes()));
      frames.add(frame("postgres_changes", payload));
    }
    if (positions) {
      // also after a change no binding matched: the position moved past it
      final ObjectNode payload = system("tidewire", "ok", "position");
      payload.put("position", Position.write(cursors));
      frames.add(frame("system", payload));
    }
    return frames;
  }

  @Override
  public boolean ownsConnection() {
    return false;
  }

  @Override
  public void ended(final ProtocolError error) {
    if (error.code() == ErrorCode.SLOW_CONSUMER) {
      connection.close(CloseCode.SLOW_CONSUMER);
      return;
    }
    connection.send(frame("system", system("system", "error", message(error))));
    connection.send(frame("phx_close", JsonNodeFactory.instance.objectNode()));
    connection.forget(this);
  }

  @Override
  public void close(final CloseCode code) {
    connection.close(code);
  }

  /** A message of this channel (with its join ref, so a stale one is dropped by the client). */
  OutboundFrame frame(final String event, final JsonNode payload) {
    return connection.frame(new PhxMessage(Optional.of(joinRef), Optional.empty(), topic, event, payload));
  }

  private ObjectNode system(final String extension, final String status, final String message) {
    final ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("extension", extension);
    payload.put("status", status);
    payload.put("message", message);
    payload.put("channel", topic.substring(PhoenixConnection.TOPIC_PREFIX.length()));
    return payload;
  }

  /** Supabase's wording where it has one. */
  private static String message(final ProtocolError error) {
    return switch (error.code()) {
      case TOKEN_EXPIRED -> "Token has expired";
      case RATE_LIMITED -> "Too many replays at once; rejoin later: " + error.message();
      default -> error.message();
    };
  }
}
