package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tidewire.client.testing.Randoms;
import io.tidewire.client.testing.Recorder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against an HTTP server that refuses every WebSocket upgrade with one status. */
class UpgradeRefusalTest {

  private record Upgrade(long nanos, String authorization) {}

  private final List<Upgrade> upgrades = new CopyOnWriteArrayList<>();
  private final Recorder recorder = new Recorder();
  private final AtomicInteger tokens = new AtomicInteger();
  private HttpServer server;
  private TidewireClient client;

  private URI refuseWith(final int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      upgrades.add(new Upgrade(System.nanoTime(), exchange.getRequestHeaders().getFirst("Authorization")));
      final byte[] body = "{\"op\":\"error\",\"code\":\"unauthorized\",\"message\":\"no\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return URI.create("ws://127.0.0.1:" + server.getAddress().getPort() + "/v1/realtime");
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.stop(0);
  }

  @Test
  void http401RenewsTheTokenOnceAtOnceThenBacksOff() throws IOException {
    client = recorder.attach(TidewireClient.builder(refuseWith(401)))
        .token(() -> "token-" + tokens.incrementAndGet())
        .subscribe(Channel.user())
        // a base well above any scheduling delay on a loaded machine: "at once" is "before the backoff"
        .backoff(Duration.ofMillis(1500), Duration.ofSeconds(10))
        .random(Randoms.HIGHEST)
        .build();
    client.connect();

    await().atMost(Duration.ofSeconds(30)).until(() -> upgrades.size() >= 4);
    assertThat(upgrades.subList(0, 4)).extracting(Upgrade::authorization)
        .containsExactly("Bearer token-1", "Bearer token-2", "Bearer token-3", "Bearer token-4");
    final Duration renewal = gap(0, 1);
    final Duration firstBackoff = gap(1, 2);
    final Duration secondBackoff = gap(2, 3);
    assertThat(renewal).isLessThan(Duration.ofMillis(1500));
    assertThat(firstBackoff).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(secondBackoff).isGreaterThanOrEqualTo(Duration.ofMillis(3000));
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(recorder.errors).allSatisfy(e -> {
      assertThat(e.kind()).isEqualTo(ClientError.Kind.CONNECT_FAILED);
      assertThat(e.httpStatus()).hasValue(401);
    });
  }

  @Test
  void aRefusalThatWouldRepeatClosesTheClient() throws IOException {
    client = recorder.attach(TidewireClient.builder(refuseWith(404)))
        .token(() -> "t")
        .subscribe(Channel.user())
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .build();

    final CompletableFuture<Void> connected = client.connect().toCompletableFuture();

    await().until(connected::isDone);
    assertThat(connected).isCompletedExceptionally();
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(upgrades).hasSize(1);
    assertThat(recorder.states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CLOSED);
  }

  private Duration gap(final int from, final int to) {
    return Duration.ofNanos(upgrades.get(to).nanos() - upgrades.get(from).nanos());
  }
}
