package io.tidewire.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The {@code op} of a frame the gateway sends. */
public enum ServerOp {
  /** A subscription is active; the events that follow start right after its cursor. */
  SUBSCRIBED,
  /** The user's current state, right after an unrecovered {@code subscribed}. */
  SNAPSHOT,
  /** One event. */
  EVENT,
  /** Reply to {@code unsubscribe}. */
  UNSUBSCRIBED,
  /** Reply to {@code ping}. */
  PONG,
  /** Reply to {@code auth}: the token was replaced. */
  AUTHENTICATED,
  /** A request failed, or the session is about to close; see {@link ProtocolCodes.ErrorCode}. */
  ERROR,
  /** Reply to {@code join}: the channel is joined; carries its presence state. */
  JOINED,
  /** Reply to {@code leave}. */
  LEFT,
  /** A member's broadcast to a joined channel (at-least-once: de-duplicate by {@code id}). */
  BROADCAST,
  /** Reply to {@code broadcast} on a channel joined with {@code "ack":true}: Kafka stored it. */
  BROADCAST_ACK,
  /** Reply to {@code track}: the presence is stored. */
  TRACKED,
  /** Reply to {@code untrack}. */
  UNTRACKED,
  /** Presences that joined and left a joined channel since the state or the previous diff. */
  PRESENCE_DIFF;

  private static final Map<String, ServerOp> BY_WIRE = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(ServerOp::wire, Function.identity()));

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The op as written in frames, e.g. {@code subscribed}. */
  public String wire() {
    return wire;
  }

  /** The op written {@code wire} in a frame; empty for an op this version does not know. */
  public static Optional<ServerOp> fromWire(final String wire) {
    return Optional.ofNullable(wire).map(BY_WIRE::get);
  }
}
