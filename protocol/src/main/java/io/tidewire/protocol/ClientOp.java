package io.tidewire.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The {@code op} of a frame a client sends. */
public enum ClientOp {
  /** Start receiving a channel's events; answered with {@code subscribed} or {@code error}. */
  SUBSCRIBE,
  /** Stop receiving a channel's events; answered with {@code unsubscribed}. */
  UNSUBSCRIBE,
  /** Answered with {@code pong}. */
  PING,
  /** Replace the session's token; answered with {@code authenticated} or {@code error}. */
  AUTH,
  /**
   * Join a broadcast/presence channel (e.g. {@code room:lobby}); answered with {@code joined}
   * (carrying the channel's presence state) or {@code error}.
   */
  JOIN,
  /** Leave a broadcast/presence channel (untracking first); answered with {@code left}. */
  LEAVE,
  /**
   * Send an event to every member of a joined channel, on every gateway; answered with
   * {@code broadcast_ack} if the join asked for acks, or {@code error}.
   */
  BROADCAST,
  /** Publish (or replace) this connection's presence in a joined channel; answered with {@code tracked}. */
  TRACK,
  /** Remove this connection's presence from a joined channel; answered with {@code untracked}. */
  UNTRACK;

  private static final Map<String, ClientOp> BY_WIRE = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(ClientOp::wire, Function.identity()));

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The op as written in frames, e.g. {@code subscribe}. */
  public String wire() {
    return wire;
  }

  /** The op written {@code wire} in a frame; empty for an op this version does not know. */
  public static Optional<ClientOp> fromWire(final String wire) {
    return Optional.ofNullable(wire).map(BY_WIRE::get);
  }
}
