package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.ConnectionLimits;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.ServerFilterConfiguration;
import org.glassfish.grizzly.ssl.SSLBaseFilter;
import org.glassfish.grizzly.utils.DelayedExecutor;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpgradeGuardAddOnTest {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
  private final ConnectionRegistry connections = new ConnectionRegistry(new LingeringClose(timer, Duration.ofSeconds(2)));
  private final UpgradeGuard guard = new UpgradeGuard(
      new JwtVerifier("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), Clock.systemUTC(),
          Duration.ZERO),
      metrics, connections, ConnectionLimits.DEFAULTS,
      new HandshakeDeadline(timer, Duration.ofSeconds(10), metrics), 65_536);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private static FilterChainBuilder chain(final boolean ssl) {
    final FilterChainBuilder builder = FilterChainBuilder.stateless().add(new TransportFilter());
    if (ssl) {
      builder.add(new SSLBaseFilter());
    }
    return builder.add(new HttpServerFilter(new ServerFilterConfiguration(),
        new DelayedExecutor(Executors.newSingleThreadExecutor())));
  }

  @Test
  void behindAnSslFilterNoFrameIsWrittenRaw() {
    final FilterChainBuilder builder = chain(true);

    new UpgradeGuardAddOn(guard).setup(new NetworkListener("tls"), builder);

    assertThat(connections.rawFrames()).isFalse();
    assertThat(new RawConnection(null, connections.rawFrames(), connections.lingeringClose()).writesFrames()).isFalse();
  }

  @Test
  void plainChainKeepsRawFrames() {
    new UpgradeGuardAddOn(guard).setup(new NetworkListener("plain"), chain(false));

    assertThat(connections.rawFrames()).isTrue();
  }

  @Test
  void upgradedReadsGoRightBeforeTheCodecBehindTheSslFilterAndReachTyrus() throws Exception {
    final FilterChainBuilder builder = FilterChainBuilder.stateless().add(new TransportFilter())
        .add(new SSLBaseFilter())
        .add(new org.glassfish.grizzly.http.HttpServerFilter())
        .add(new GrizzlyServerFilter(new GatewayServerContainer(1024), GatewayServerContainer.CONTEXT_PATH))
        .add(new HttpServerFilter(new ServerFilterConfiguration(), new DelayedExecutor(Executors.newSingleThreadExecutor())));

    new UpgradeGuardAddOn(guard).setup(new NetworkListener("tls"), builder);

    assertThat(builder.indexOfType(UpgradedReads.class))
        .isGreaterThan(builder.indexOfType(SSLBaseFilter.class))
        .isEqualTo(builder.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class) - 1);
    assertThat(builder.indexOfType(UpgradeGuard.class)).isEqualTo(builder.indexOfType(GrizzlyServerFilter.class) - 1);
  }

  @Test
  void withoutTyrussFilterReadsKeepGoingThroughTheCodec() {
    final FilterChainBuilder builder = chain(false);

    new UpgradeGuardAddOn(guard).setup(new NetworkListener("plain"), builder);

    assertThat(builder.indexOfType(UpgradedReads.class)).isNegative();
  }

  @Test
  void deadlineSitsRightAfterTheTransportAndTheGuardBeforeTheHttpServer() {
    final FilterChainBuilder builder = chain(true);

    new UpgradeGuardAddOn(guard).setup(new NetworkListener("tls"), builder);

    assertThat(builder.indexOfType(HandshakeDeadline.class)).isEqualTo(1);
    assertThat(builder.indexOfType(SSLBaseFilter.class)).isEqualTo(2);
    assertThat(builder.indexOfType(UpgradeGuard.class))
        .isEqualTo(builder.indexOfType(HttpServerFilter.class) - 1);
  }
}
