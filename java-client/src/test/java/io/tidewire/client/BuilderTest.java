package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BuilderTest {

  private static final URI ENDPOINT = URI.create("ws://127.0.0.1:1/v1/realtime");

  @Test
  void requiresATokenSupplier() {
    assertThatThrownBy(() -> TidewireClient.builder(ENDPOINT).subscribe(Channel.user()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
  }

  @Test
  void requiresAWebSocketEndpoint() {
    assertThatThrownBy(() -> TidewireClient.builder(URI.create("http://x/v1/realtime")).token(() -> "t").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws://");
  }

  @Test
  void refusesAChannelTwiceAndACursorForAChannelNotSubscribed() {
    assertThatThrownBy(() -> TidewireClient.builder(ENDPOINT).token(() -> "t")
        .subscribe(Channel.user()).subscribe(Channel.user().types("x.*")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> TidewireClient.builder(ENDPOINT).token(() -> "t")
        .subscribe(Channel.user()).resumeFrom(Channel.FEED, "c").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not subscribed");
  }

  @Test
  void refusesNonPositiveDurationsAndCapacity() {
    assertThatThrownBy(() -> TidewireClient.builder(ENDPOINT).token(() -> "t")
        .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TidewireClient.builder(ENDPOINT).token(() -> "t").dedupCapacity(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TidewireClient.builder(ENDPOINT).token(() -> "t").connectTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBuiltClientIsIdleWithItsStoredCursorsAndClosesWithoutConnecting() {
    final TidewireClient client = TidewireClient.builder(ENDPOINT).token(() -> "t")
        .subscribe(Channel.user()).resumeFrom(Channel.USER, "stored").build();

    assertThat(client.state()).isEqualTo(ConnectionState.IDLE);
    assertThat(client.cursor(Channel.USER)).contains("stored");

    client.close();

    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(client.connect().toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void channelsRejectBlankNamesAndTypes() {
    assertThatThrownBy(() -> Channel.named(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Channel.user().types("")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Channel.feed().types("feed.*").types()).containsExactly("feed.*");
  }
}
