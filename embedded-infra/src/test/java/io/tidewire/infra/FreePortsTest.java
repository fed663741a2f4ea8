package io.tidewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsAreBindableDistinctAndBelowTheEphemeralRange() throws IOException {
    final int ephemeralLow = FreePorts.ephemeralLow().orElse(32_768);
    final Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      final int port = FreePorts.any();
      if (ephemeralLow - FreePorts.LOW > 1_000) {
        assertThat(port).isBetween(FreePorts.LOW, ephemeralLow - 1);
      }
      assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    }
  }

  @Test
  void aGivenPortIsKept() {
    assertThat(FreePorts.orFree(4242)).isEqualTo(4242);
  }
}
