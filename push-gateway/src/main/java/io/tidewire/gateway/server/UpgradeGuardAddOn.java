package io.tidewire.gateway.server;

import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;

/**
 * Puts {@link UpgradeGuard} into a listener's filter chain right before Tyrus's WebSocket filter
 * (or before the HTTP server filter if Tyrus's add-on has not run yet; it then inserts itself after
 * the guard). Thread-safe.
 */
final class UpgradeGuardAddOn implements AddOn {

  private final UpgradeGuard guard;

  UpgradeGuardAddOn(final UpgradeGuard guard) {
    this.guard = guard;
  }

  @Override
  public void setup(final NetworkListener listener, final FilterChainBuilder builder) {
    int index = builder.indexOfType(GrizzlyServerFilter.class);
    if (index < 0) {
      index = builder.indexOfType(HttpServerFilter.class);
    }
    if (index < 0) {
      throw new IllegalStateException("no HTTP server filter in the chain of " + listener.getName());
    }
    builder.add(index, guard);
  }
}
