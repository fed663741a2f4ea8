package io.tidewire.gateway.server;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The address a connection's client is counted under: the TCP peer, unless the peer is a trusted
 * reverse proxy and its header (e.g. {@code X-Forwarded-For: client, proxy1}) names the client.
 * The header is read from its right end: the last entry that is not itself a trusted proxy is the
 * client, so a client cannot choose its address by sending the header itself (what it writes
 * ends up to the left of what the proxy appends). From an untrusted peer the header is ignored.
 *
 * <p>Immutable and thread-safe.
 */
final class ClientAddress {

  private final Set<String> trustedProxies;

  ClientAddress(final List<String> trustedProxies) {
    this.trustedProxies = Set.copyOf(trustedProxies);
  }

  /**
   * @param peer the TCP peer's IP address
   * @param header the client address header's value, if the request has one
   */
  String of(final String peer, final Optional<String> header) {
    if (!trustedProxies.contains(peer) || header.isEmpty()) {
      return peer;
    }
    final String[] hops = header.get().split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      final String hop = hops[i].trim();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return peer;
  }
}
