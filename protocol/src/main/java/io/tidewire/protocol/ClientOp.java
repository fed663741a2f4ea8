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
  AUTH;

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
