package io.tidewire.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one connection may take and how long it may stay silent: read from {@link GatewaySettings}
 * by {@link GatewayConfig#fromEnv}; immutable.
 *
 * @param handshakeTimeout from TCP accept to a completed upgrade (and between two plain HTTP
 *     requests on one connection)
 * @param pingInterval how often every session gets a WebSocket ping
 * @param maxMissedPongs pings in a row without a pong after which the session is closed
 * @param maxConnections WebSocket sessions at a time
 * @param maxPerUser sessions of one user at a time
 * @param maxPerAddress sessions from one client address at a time, 0 for no limit
 * @param trustedProxies peers whose {@code clientAddressHeader} names the client
 * @param clientAddressHeader e.g. {@code X-Forwarded-For}
 * @param retryAfter what a refusal with HTTP 429 tells the client to wait
 */
public record ConnectionLimits(Duration handshakeTimeout, Duration pingInterval, int maxMissedPongs,
    int maxConnections, int maxPerUser, int maxPerAddress, List<String> trustedProxies,
    String clientAddressHeader, Duration retryAfter) {

  /** The documented defaults. */
  public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(10),
      Duration.ofSeconds(25), 2, 50_000, 100, 0, List.of(), "X-Forwarded-For", Duration.ofSeconds(5));

  public ConnectionLimits {
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(pingInterval, "pingInterval");
    Objects.requireNonNull(clientAddressHeader, "clientAddressHeader");
    Objects.requireNonNull(retryAfter, "retryAfter");
    trustedProxies = List.copyOf(trustedProxies);
  }
}
