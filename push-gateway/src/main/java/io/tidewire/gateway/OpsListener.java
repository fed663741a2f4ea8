package io.tidewire.gateway;

import java.util.Objects;

/**
 * Where the gateway serves {@code /health} and {@code /metrics}: on a listener of their own
 * (loopback by default, so they are not public with the WebSocket port), or on the main port.
 * Immutable.
 *
 * @param onMainPort serve them on the WebSocket port (the demo) instead of {@code host:port}
 * @param host interface of the ops listener
 * @param port port of the ops listener, 0 for any free one
 */
public record OpsListener(boolean onMainPort, String host, int port) {

  public OpsListener {
    Objects.requireNonNull(host, "host");
  }

  /** The default: loopback, port 9403. */
  public static final OpsListener DEFAULT = new OpsListener(false, "127.0.0.1", 9403);
}
