package io.tidewire.gateway.server;

import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.ssl.SSLBaseFilter;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts {@link UpgradeGuard} into a listener's filter chain right before Tyrus's WebSocket filter
 * (or before the HTTP server filter if Tyrus's add-on has not run yet; it then inserts itself after
 * the guard), and the guard's {@link HandshakeDeadline} right after the transport filter, so it
 * sees every accept. If the chain has an SSL filter, raw frame writes are turned off at this
 * point, before any connection is accepted: a frame written to the transport would skip the
 * encryption. {@link UpgradedReads} goes right before the HTTP codec (after any SSL filter), so an
 * upgraded connection's reads skip the codec and go to Tyrus's filter. Thread-safe.
 */
final class UpgradeGuardAddOn implements AddOn {

  private static final Logger LOG = LoggerFactory.getLogger(UpgradeGuardAddOn.class);

  private final UpgradeGuard guard;

  UpgradeGuardAddOn(final UpgradeGuard guard) {
    this.guard = guard;
  }

  @Override
  public void setup(final NetworkListener listener, final FilterChainBuilder builder) {
    if (builder.indexOfType(SSLBaseFilter.class) >= 0) {
      guard.connections().rawFramesOff();
      LOG.info("{} encrypts: frames go through Tyrus, not written raw", listener.getName());
    }
    int index = builder.indexOfType(GrizzlyServerFilter.class);
    if (index < 0) {
      index = builder.indexOfType(HttpServerFilter.class);
    }
    if (index < 0) {
      throw new IllegalStateException("no HTTP server filter in the chain of " + listener.getName());
    }
    builder.add(index, guard);
    final int websocket = builder.indexOfType(GrizzlyServerFilter.class);
    if (websocket >= 0) {
      guard.upgradedReads().websocket(builder.get(websocket));
      builder.add(builder.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class), guard.upgradedReads());
    } else {
      LOG.warn("{}: no WebSocket filter in the chain yet; upgraded reads keep going through the HTTP codec",
          listener.getName());
    }
    builder.add(builder.indexOfType(TransportFilter.class) + 1, guard.deadline());
  }
}
