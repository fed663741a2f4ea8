package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private final ClientAddress address = new ClientAddress(List.of("10.0.0.1", "10.0.0.2"));

  @Test
  void headerFromAnUntrustedPeerIsIgnored() {
    assertThat(address.of("203.0.113.9", Optional.of("198.51.100.1"))).isEqualTo("203.0.113.9");
  }

  @Test
  void trustedProxyNamesTheClient() {
    assertThat(address.of("10.0.0.1", Optional.of("198.51.100.1"))).isEqualTo("198.51.100.1");
  }

  @Test
  void aForgedLeftmostEntryDoesNotCount() {
    // the client sent "X-Forwarded-For: 1.2.3.4"; the proxies appended the real client, then themselves
    assertThat(address.of("10.0.0.1", Optional.of("1.2.3.4, 198.51.100.1, 10.0.0.2")))
        .isEqualTo("198.51.100.1");
  }

  @Test
  void trustedProxyWithoutHeaderCountsAsItself() {
    assertThat(address.of("10.0.0.1", Optional.empty())).isEqualTo("10.0.0.1");
    assertThat(address.of("10.0.0.1", Optional.of(" , 10.0.0.2"))).isEqualTo("10.0.0.1");
  }
}
