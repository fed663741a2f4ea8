package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.broadcast.ChannelNames;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.FrameBudget;
import io.tidewire.gateway.session.OutboundFrame;
import io.tidewire.gateway.session.OutboundQueue;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.session.TokenBucket;
import io.tidewire.gateway.session.Transport;
import io.tidewire.gateway.session.Utf8;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection at {@code /realtime/v1/websocket}: the Phoenix channels protocol as realtime-js
 * 2.x speaks it (see docs/SUPABASE.md). It answers heartbeats on topic {@code phoenix}, joins and
 * leaves channels, refreshes their tokens, and owns the connection's send queue, which every
 * channel shares so that a channel's {@code phx_reply} goes out before anything of the channel.
 * Each joined channel is served by its own {@link ClientSession} — the same session core, hub,
 * replay, limits and token expiry as a Tidewire protocol connection — whose output
 * {@link PhoenixChannel} writes as Supabase's frames: its {@code postgres_changes} bindings become
 * subscriptions to the event streams, and its topic {@code realtime:<name>} is the core's
 * broadcast/presence channel {@code <name>} ({@link Room}) if {@code TIDEWIRE_GATEWAY_CHANNELS}
 * lets the channel's user join it. Then the channel's {@code broadcast} and {@code presence}
 * ({@code track}, {@code untrack}) pushes — JSON with either {@code vsn}, or realtime-js's binary
 * user broadcast push with {@code 2.0.0} — become the core's requests, under its limits. A join
 * the rules refuse is refused (CHANNEL_ERROR) unless it only has {@code postgres_changes} bindings
 * and did not ask for presence: then it serves those, and its broadcasts and tracks get error
 * replies.
 *
 * <p>Who a channel speaks for: the join's {@code access_token} if it is a user's token (verified
 * like any Tidewire token), else the connection's {@code apikey} (an anon key: public tables only).
 *
 * <p>Thread-safe: frames come one at a time from the WebSocket library; channel sessions call
 * back from their own threads ({@link #send}, {@link #forget}, {@link #close}).
 */
public final class PhoenixConnection {

  static final String TOPIC_PREFIX = "realtime:";
  private static final Logger LOG = LoggerFactory.getLogger(PhoenixConnection.class);
  private static final String PHOENIX_TOPIC = "phoenix";

  private final Transport transport;
  private final PhxCodec codec;
  private final Principal apiKey;
  private final SessionContext context;
  private final PhoenixConfig config;
  private final PhoenixMetrics metrics;
  private final OutboundQueue queue;
  private final Map<String, Joined> channels = new ConcurrentHashMap<>();
  // Confined to the thread that delivers the client's frames (one at a time).
  private FrameBudget budget;
  private TokenBucket joins;

  private record Joined(PhoenixChannel channel, ClientSession session, String token) {}

  /**
   * @param transport the connection
   * @param codec the serializer the client asked for ({@code vsn})
   * @param apiKey the principal of the verified {@code apikey}
   * @param context what every session shares
   * @param config the endpoint's settings
   * @param metrics the endpoint's meters
   */
  public PhoenixConnection(final Transport transport, final PhxCodec codec, final Principal apiKey,
      final SessionContext context, final PhoenixConfig config, final PhoenixMetrics metrics) {
    this.transport = transport;
    this.codec = codec;
    this.apiKey = apiKey;
    this.context = context;
    this.config = config;
    this.metrics = metrics;
    this.queue = new OutboundQueue(transport, context.queueMessages(), context.queueBytes(),
        context.metrics()::frameOut, failure -> LOG.debug("send to {} failed: {}", transport.id(), failure.toString()));
    final long now = System.nanoTime();
    this.budget = FrameBudget.of(context.frameLimits(), now);
    this.joins = TokenBucket.full(config.joinsPerSecond(), config.joinsPerSecond(), now);
  }

  /** Handles one text frame. */
  public void onText(final String text) {
    received(Utf8.exceeds(text, context.maxFrameBytes()), () -> codec.decode(text));
  }

  /** Handles a binary frame: realtime-js sends every broadcast push that way with vsn 2.0.0. */
  public void onBinary(final ByteBuffer frame) {
    received(frame.remaining() > context.maxFrameBytes(), () -> codec.decodeBinary(frame));
  }

  /** A frame arrived: too big, it closes the connection; else it is decoded, rated and handled. */
  private void received(final boolean oversized, final Supplier<PhxMessage> decode) {
    context.metrics().frameIn();
    if (oversized) {
      context.metrics().oversizedFrame();
      close(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    final PhxMessage message;
    try {
      message = decode.get();
    } catch (PhxCodec.PhxFormatException e) {
      LOG.debug("{}: unreadable frame: {}", transport.id(), e.getMessage());
      if (withinRate()) {
        metrics.refused("malformed");
      }
      return; // Phoenix drops what it cannot decode; nothing to reply to
    }
    if (!withinRate()) {
      reply(message, "error", reason("Too many messages per second"));
      return;
    }
    handle(message);
  }

  /** The connection closed: end every channel's session. */
  public void onClosed() {
    for (final Joined joined : List.copyOf(channels.values())) {
      joined.session().onClosed();
    }
    channels.clear();
    queue.finish(Optional.empty(), true, () -> { });
  }

  /** The server goes away (or the connection missed its pings): close with 1001. */
  public void goAway() {
    close(CloseCode.GOING_AWAY);
  }

  // ---------------------------------------------------------------- messages

  private void handle(final PhxMessage message) {
    if (PHOENIX_TOPIC.equals(message.topic())) {
      if ("heartbeat".equals(message.event())) {
        reply(message, "ok", JsonNodeFactory.instance.objectNode());
      }
      return;
    }
    switch (message.event()) {
      case "phx_join" -> join(message);
      case "phx_leave" -> leave(message);
      case "access_token" -> refresh(message);
      default -> other(message);
    }
  }

  private void join(final PhxMessage message) {
    final String topic = message.topic();
    final Optional<String> joinRef = message.joinRef().or(message::ref);
    if (!topic.startsWith(TOPIC_PREFIX) || joinRef.isEmpty()) {
      refuseJoin(message, "unmatched topic", "unmatched_topic");
      return;
    }
    if (topic.length() == TOPIC_PREFIX.length()) {
      refuseJoin(message, "TopicNameRequired: You must provide a topic name", "topic");
      return;
    }
    final TokenBucket.Take take = joins.take(System.nanoTime());
    joins = take.bucket();
    if (!take.taken()) {
      refuseJoin(message, "ClientJoinRateLimitReached: Too many joins per second", "joins");
      return;
    }
    final Joined previous = channels.remove(topic); // a rejoin replaces the channel
    if (previous != null) {
      previous.session().onClosed();
    }
    if (channels.size() >= config.maxChannels()) {
      refuseJoin(message, "ChannelRateLimitReached: Too many channels", "channels");
      return;
    }
    final JsonNode payload = message.payload();
    final JsonNode joinConfig = payload.path("config");
    final String name = topic.substring(TOPIC_PREFIX.length());
    if (joinConfig.path("private").asBoolean(false)) {
      refuseJoin(message, "Unauthorized: You do not have permissions to read from this Channel topic: "
          + topic.substring(TOPIC_PREFIX.length()) + " (Tidewire has no private channels)", "private");
      return;
    }
    final Optional<String> accessToken = Optional.ofNullable(payload.get("access_token"))
        .filter(JsonNode::isTextual).map(JsonNode::textValue).filter(t -> !t.isBlank());
    final Speaker speaker = accessToken.map(this::speaker).orElseGet(() -> new Speaker(apiKey, Optional.empty()));
    if (speaker.refusal().isPresent()) {
      refuseJoin(message, speaker.refusal().get(), "token");
      return;
    }
    final boolean user = !speaker.principal().userId().equals(JwtVerifier.ANONYMOUS);
    final Room room;
    try {
      room = Room.parse(name, joinConfig);
    } catch (IllegalArgumentException e) {
      refuseJoin(message, e.getMessage(), "config");
      return;
    }
    final List<PgBinding> bindings = new ArrayList<>();
    final JsonNode requested = joinConfig.path("postgres_changes");
    try {
      if (requested.isArray()) {
        for (final JsonNode node : requested) {
          bindings.add(PgBinding.parse(node, config.tables(), user, idFor(node, bindings)));
        }
      } else if (!requested.isMissingNode() && !requested.isNull()) {
        throw new IllegalArgumentException("InvalidJoinPayload: postgres_changes must be a list");
      }
    } catch (IllegalArgumentException e) {
      refuseJoin(message, e.getMessage(), "binding");
      return;
    }
    final Map<Channel.Kind, String> positions;
    try {
      positions = Position.read(bindings.stream().map(PgBinding::position).flatMap(Optional::stream)
          .filter(p -> !p.isEmpty()).findFirst().orElse(""));
    } catch (IllegalArgumentException e) {
      refuseJoin(message, "InvalidJoinPayload: " + PgBinding.POSITION_KEY + " is not a Tidewire position", "position");
      return;
    }
    final Map<Channel.Kind, Optional<Cursor>> cursors = new EnumMap<>(Channel.Kind.class);
    for (final Map.Entry<Channel.Kind, String> position : positions.entrySet()) {
      final Optional<Cursor> cursor = context.cursors().tryDecode(position.getValue());
      if (cursor.isEmpty()) {
        refuseJoin(message, "InvalidJoinPayload: " + PgBinding.POSITION_KEY + " is not a Tidewire position",
            "position");
        return;
      }
      cursors.put(position.getKey(), cursor);
    }
    final Optional<String> closed = closedBecause(speaker.principal(), name);
    if (closed.isPresent() && (bindings.isEmpty() || room.presence())) {
      context.metrics().channelRefused("forbidden");
      refuseJoin(message, "Unauthorized: You do not have permissions to read from this Channel topic: " + name
          + " (" + closed.get() + ")", "channel");
      return;
    }
    final PhoenixChannel channel = new PhoenixChannel(this, topic, joinRef.get(), bindings,
        closed.isEmpty() ? Optional.of(room) : Optional.empty(), closed.orElse(""));
    for (final Channel.Kind kind : channel.kinds()) {
      if (!context.hub().serves(kind)) {
        refuseJoin(message, "Realtime was unable to connect to the project database (the " + kind.wire()
            + " stream is not served by this gateway)", "stream");
        return;
      }
    }
    final ObjectNode response = JsonNodeFactory.instance.objectNode();
    final ArrayNode echoed = response.putArray("postgres_changes");
    for (final PgBinding binding : bindings) {
      echoed.add(binding.config().deepCopy().put("id", binding.id()));
    }
    // the reply is queued before the session exists: nothing of the channel can precede it
    reply(message, "ok", response);
    metrics.joined();
    final ClientSession session = new ClientSession(transport, speaker.principal(), context, channel);
    channels.put(topic, new Joined(channel, session, accessToken.orElse("")));
    session.open();
    channel.room().ifPresent(r -> session.perform(new ClientFrame.Join(PhoenixChannel.ROOM_JOIN, r.channel(),
        r.self(), r.ack())));
    for (final Channel.Kind kind : channel.kinds()) {
      final TypeFilter types = kind == Channel.Kind.USER
          ? TypeFilter.of(List.of("row.*")).orElseThrow() : TypeFilter.all();
      session.perform(new ClientFrame.Subscribe(kind.wire(), new Channel(kind, Optional.empty(), kind.wire()),
          cursors.getOrDefault(kind, Optional.empty()), types));
    }
  }

  private void leave(final PhxMessage message) {
    final Joined joined = channels.remove(message.topic());
    if (joined != null) {
      joined.session().onClosed();
    }
    reply(message, "ok", JsonNodeFactory.instance.objectNode());
  }

  private void refresh(final PhxMessage message) {
    final Joined joined = channels.get(message.topic());
    final JsonNode token = message.payload().get("access_token");
    if (joined == null || token == null || !token.isTextual() || token.textValue().equals(joined.token())) {
      return; // as Supabase: nothing to do, nothing to say
    }
    final Speaker speaker = speaker(token.textValue());
    if (speaker.refusal().isPresent()) {
      shutDown(joined, speaker.refusal().get());
      return;
    }
    final String current = joined.session().userId();
    if (!speaker.principal().userId().equals(current)) {
      shutDown(joined, "You no longer have permission to read from this Channel topic: "
          + message.topic().substring(TOPIC_PREFIX.length()) + " (the token is for another user)");
      return;
    }
    channels.put(message.topic(), new Joined(joined.channel(), joined.session(), token.textValue()));
    joined.session().authenticated(message.ref().orElse("access_token"),
        new TokenVerdict.Accepted(speaker.principal()));
  }

  private void other(final PhxMessage message) {
    final Joined joined = channels.get(message.topic());
    if (joined == null) {
      reply(message, "error", reason("unmatched topic"));
      return;
    }
    if (!"broadcast".equals(message.event()) && !"presence".equals(message.event())) {
      return; // anything else Supabase ignores too
    }
    final Optional<Room> room = joined.channel().room();
    if (room.isEmpty()) {
      refuse(message, "Unauthorized: " + message.event() + " is not open on this channel ("
          + joined.channel().closed() + ")");
      return;
    }
    final Optional<ClientFrame> request = "broadcast".equals(message.event())
        ? broadcast(message, room.get()) : presence(message, room.get());
    request.ifPresent(joined.session()::perform);
  }

  /** A {@code broadcast} push as the core's request; empty (and refused) if it cannot be one. */
  private Optional<ClientFrame> broadcast(final PhxMessage message, final Room room) {
    final JsonNode event = message.payload().get("event");
    if (event == null || !event.isTextual() || !ChannelNames.isEvent(event.textValue())) {
      refuse(message, "InvalidBroadcastPayload: event must be " + ChannelNames.eventSyntax());
      return Optional.empty();
    }
    final JsonNode body = message.payload().get("payload");
    if (body != null && body.isBinary()) {
      refuse(message, "InvalidBroadcastPayload: Tidewire relays JSON payloads only, not binary ones");
      return Optional.empty();
    }
    if (body != null && !body.isNull() && !body.isMissingNode() && !body.isObject()) {
      refuse(message, "InvalidBroadcastPayload: payload must be a JSON object");
      return Optional.empty();
    }
    final String json = body == null || !body.isObject() ? "{}" : body.toString();
    return Optional.of(new ClientFrame.Broadcast(PhoenixChannel.pushRef(message.ref()), room.channel(),
        event.textValue(), json));
  }

  /** A {@code presence} push ({@code track} or {@code untrack}) as the core's request. */
  private Optional<ClientFrame> presence(final PhxMessage message, final Room room) {
    final String ref = PhoenixChannel.pushRef(message.ref());
    final String event = message.payload().path("event").asText("").toLowerCase(Locale.ROOT);
    if ("untrack".equals(event)) {
      return Optional.of(new ClientFrame.Untrack(ref, room.channel()));
    }
    if (!"track".equals(event)) {
      refuse(message, "UnknownPresenceEvent: " + event);
      return Optional.empty();
    }
    final JsonNode meta = message.payload().get("payload");
    if (meta != null && !meta.isNull() && !meta.isObject()) {
      refuse(message, "Presence track payload must be a map");
      return Optional.empty();
    }
    return Optional.of(new ClientFrame.Track(ref, room.channel(), meta == null || meta.isNull() ? "{}"
        : meta.toString(), Optional.of(room.key())));
  }

  private void refuse(final PhxMessage message, final String reason) {
    metrics.refused(message.event());
    reply(message, "error", reason(reason));
  }

  /**
   * Why {@code principal} may not broadcast and track on {@code name}, if it may not: the core's
   * channels are for users (an anon key has no user), under a channel name, by the rules.
   */
  private Optional<String> closedBecause(final Principal principal, final String name) {
    if (principal.userId().equals(JwtVerifier.ANONYMOUS)) {
      return Optional.of("broadcast and presence need a user's access token");
    }
    if (!ChannelNames.isChannel(name)) {
      return Optional.of("a broadcast/presence channel name is " + ChannelNames.channelSyntax());
    }
    if (!context.channels().rules().mayJoin(principal.userId(), name)) {
      return Optional.of("no rule of TIDEWIRE_GATEWAY_CHANNELS lets you join " + name);
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- for channels

  /** The connection's send queue, shared by its channels. */
  OutboundQueue queue() {
    return queue;
  }

  PhoenixConfig config() {
    return config;
  }

  /** A cursor as the client keeps it. */
  String cursor(final Cursor cursor) {
    return context.cursors().encode(cursor);
  }

  /** The schema of a bare table name of a stream (row events carry the bare name). */
  Optional<String> schemaOf(final Channel.Kind kind, final String table) {
    return config.tables().stream().filter(t -> t.source() == kind && t.table().equals(table))
        .map(SupabaseTable::schema).findFirst();
  }

  OutboundFrame frame(final PhxMessage message) {
    return OutboundFrame.of(codec.encode(message));
  }

  /** Queues a frame; a full queue makes the client a slow consumer (the connection closes). */
  void send(final OutboundFrame frame) {
    if (queue.offer(frame) == OutboundQueue.Offer.OVERFLOW) {
      context.metrics().slowConsumerDisconnect();
      close(CloseCode.SLOW_CONSUMER);
    }
  }

  /** A channel's session ended on its own (its token expired): forget the channel. */
  void forget(final PhoenixChannel channel) {
    channels.computeIfPresent(channel.topic(), (topic, joined) -> joined.channel() == channel ? null : joined);
  }

  /** Closes the connection after what is queued. */
  void close(final CloseCode code) {
    queue.finish(Optional.empty(), false, () -> transport.close(code));
  }

  // ---------------------------------------------------------------- helpers

  /** Who a token speaks for: a user's token, or an anon key; else Supabase's reason for refusing it. */
  private Speaker speaker(final String token) {
    final TokenVerdict verdict = context.verifier().verify(token);
    if (verdict instanceof TokenVerdict.Accepted accepted) {
      return new Speaker(accepted.principal(), Optional.empty());
    }
    final TokenVerdict key = context.verifier().verifyApiKey(token);
    if (key instanceof TokenVerdict.Accepted accepted
        && accepted.principal().userId().equals(JwtVerifier.ANONYMOUS)) {
      return new Speaker(accepted.principal(), Optional.empty());
    }
    final TokenVerdict.Rejected rejected = (TokenVerdict.Rejected) verdict;
    final String reason = switch (rejected.reason()) {
      case EXPIRED -> "InvalidJWTToken: Token has expired";
      case MALFORMED -> "MalformedJWT: The token provided is not a valid JWT";
      case BAD_SIGNATURE, UNKNOWN_KEY -> "JwtSignatureError: Failed to validate JWT signature";
      case MISSING_CLAIM -> "InvalidJWTToken: Fields `role` and `exp` are required in JWT";
      default -> "Unauthorized: " + rejected.message();
    };
    return new Speaker(apiKey, Optional.of(reason));
  }

  private record Speaker(Principal principal, Optional<String> refusal) {}

  private void shutDown(final Joined joined, final String message) {
    channels.remove(joined.channel().topic(), joined);
    final ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("extension", "system");
    payload.put("status", "error");
    payload.put("message", message);
    payload.put("channel", joined.channel().topic().substring(TOPIC_PREFIX.length()));
    send(joined.channel().frame("system", payload));
    send(joined.channel().frame("phx_close", JsonNodeFactory.instance.objectNode()));
    joined.session().onClosed();
  }

  /** A binding's id: a hash of its config, unique within the join. */
  private static int idFor(final JsonNode config, final List<PgBinding> earlier) {
    int id = config.toString().hashCode() & 0x7ffffff;
    while (true) {
      final int candidate = id;
      final Optional<PgBinding> same = earlier.stream().filter(b -> b.id() == candidate).findFirst();
      if (same.isEmpty()) {
        return id;
      }
      if (same.get().config().equals(config)) {
        return id; // an identical binding shares the id, as Supabase's hash does
      }
      id = (id + 1) & 0x7ffffff;
    }
  }

  private void refuseJoin(final PhxMessage message, final String reason, final String tag) {
    metrics.refused(tag);
    reply(message, "error", reason(reason));
  }

  private static ObjectNode reason(final String reason) {
    final ObjectNode response = JsonNodeFactory.instance.objectNode();
    response.put("reason", reason);
    return response;
  }

  private void reply(final PhxMessage request, final String status, final JsonNode response) {
    final ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("status", status);
    payload.set("response", response);
    send(frame(new PhxMessage(request.joinRef(), request.ref(), request.topic(), "phx_reply", payload)));
  }

  private boolean withinRate() {
    final FrameBudget.Spent spent = budget.frame(System.nanoTime());
    budget = spent.budget();
    switch (spent.verdict()) {
      case ADMIT:
        return true;
      case REFUSE:
        context.metrics().frameRateLimited();
        return false;
      default:
        context.metrics().frameRateLimited();
        context.metrics().rateLimitedDisconnect();
        close(CloseCode.RATE_LIMITED);
        return false;
    }
  }
}
