package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.StaticContent;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.testing.WsClient;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connection limits of a real gateway, set small: caps, the handshake deadline, pings, frames. */
class ConnectionGuardsTest {

  private static final int PER_USER = 3;
  private static final int MAX_FRAME = 1024;
  private static SimpleMeterRegistry registry;
  private static Gateway gateway;
  private static URI endpoint;

  @BeforeAll
  static void start() {
    registry = new SimpleMeterRegistry();
    gateway = new Gateway(TestKit.config(Map.of(
        "TIDEWIRE_GATEWAY_MAX_CONNECTIONS_PER_USER", Integer.toString(PER_USER),
        "TIDEWIRE_GATEWAY_HANDSHAKE_TIMEOUT_SECONDS", "1",
        "TIDEWIRE_GATEWAY_PING_INTERVAL_SECONDS", "1",
        "TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS", "200",
        "TIDEWIRE_GATEWAY_RETRY_AFTER_SECONDS", "7",
        "TIDEWIRE_GATEWAY_MAX_FRAME_BYTES", Integer.toString(MAX_FRAME))), registry, StaticContent.none());
    gateway.start();
    endpoint = WsClient.endpoint(gateway.port());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static double count(final String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void upgradeOverTheUserCapIsRefusedWith429AndRetryAfterAndAdmittedAgainOnceOneCloses() throws Exception {
    final String token = Tokens.valid(TestKit.newUser());
    final List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_USER; i++) {
        open.add(WsClient.connect(endpoint, token));
      }

      final String refused = WsClient.upgradeResponseHead(endpoint, token);

      assertThat(refused).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 7");
      assertThat(count("tidewire.gateway.connection.refusals")).isGreaterThanOrEqualTo(1);
      assertThat(open.get(0).answersPing("still")).isTrue();
      assertThat(WsClient.upgradeResponseHead(endpoint, Tokens.valid(TestKit.newUser()))).startsWith("HTTP/1.1 101");

      open.remove(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> WsClient.upgradeResponseHead(endpoint, token).startsWith("HTTP/1.1 101"));
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void silentConnectionAndHalfARequestLineAreClosedAtTheDeadline() throws Exception {
    final double before = count("tidewire.gateway.handshake.timeouts");
    try (WsClient silent = WsClient.rawSocket(endpoint); WsClient half = WsClient.rawSocket(endpoint)) {
      half.sendBytes("GET /v1/realtime?acc".getBytes(StandardCharsets.US_ASCII));

      assertThat(silent.readsToTheEnd(Duration.ofSeconds(5))).isTrue();
      assertThat(half.readsToTheEnd(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(count("tidewire.gateway.handshake.timeouts") - before).isGreaterThanOrEqualTo(2);
  }

  @Test
  void upgradedSessionOutlivesTheDeadline() throws Exception {
    try (WsClient client = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      final long until = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
      await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > until);
      assertThat(client.answersPing("after-deadline")).isTrue();
    }
  }

  @Test
  void clientThatStopsAnsweringPingsIsClosedAndOneThatAnswersStays() {
    final double before = count("tidewire.gateway.ping.timeouts");
    try (WsClient deaf = WsClient.raw(endpoint, Tokens.valid(TestKit.newUser()));
         WsClient answering = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      // raw clients read nothing (so answer no ping) until told to
      await().atMost(Duration.ofSeconds(10))
          .until(() -> count("tidewire.gateway.ping.timeouts") - before >= 1);
      assertThat(deaf.readsToTheEnd(Duration.ofSeconds(5))).isTrue();
      assertThat(answering.isOpen()).isTrue();
      assertThat(answering.answersPing("alive")).isTrue();
    }
  }

  @Test
  void frameFarOverTheLimitClosesWith1009NotWithTheTransportsError() {
    try (WsClient big = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      big.sendExpectingClose("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(MAX_FRAME * 8) + "\"}");

      assertThat(big.awaitClose()).isEqualTo(1009);
    }
  }

  @Test
  void aClientStillSendingWhenClosedReadsTheCloseFrameAndTheEndNotAReset() throws Exception {
    try (Socket socket = upgradedSocket()) {
      final InputStream in = socket.getInputStream();
      final OutputStream out = socket.getOutputStream();
      // a masked text frame that announces 16 MiB (the limit is 1 KiB), and 8 MiB of its payload,
      // as a client that sends a frame whole (or floods) does: most of it comes after the answer
      final byte[] header = {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4};
      final byte[] chunk = new byte[16 * 1024];
      final CompletableFuture<Optional<IOException>> sending = writing(() -> {
        out.write(header);
        for (int sent = 0; sent < 8 * 1024 * 1024; sent += chunk.length) {
          out.write(chunk);
        }
      });

      final byte[] close = in.readNBytes(4);

      assertThat(close[0]).as("a close frame").isEqualTo((byte) 0x88);
      assertThat(((close[2] & 0xff) << 8) | (close[3] & 0xff)).isEqualTo(1009);
      in.readNBytes(close[1] - 2); // the reason
      assertThat(in.read()).as("the end of the stream after the close frame, not a reset").isEqualTo(-1);
      assertThat(sending.get(10, TimeUnit.SECONDS)).as("the client's own writes were not reset").isEmpty();
    }
  }

  @Test
  void aFloodingClientClosedBySessionReadsTheCloseFrameAndTheEndNotAReset() throws Exception {
    try (Socket socket = upgradedSocket()) {
      final InputStream in = socket.getInputStream();
      final OutputStream out = socket.getOutputStream();
      // pings as fast as the socket takes them (the session allows a burst of 50 and 20/s, then
      // closes with 4029), and on for a while after the close frame was read, as a client whose
      // writer learns of the close from its reader does
      final byte[] chunk = pings(500);
      final AtomicBoolean answered = new AtomicBoolean();
      final CompletableFuture<Optional<IOException>> sending = writing(() -> {
        for (int i = 0; i < 2_000 && !answered.get(); i++) {
          out.write(chunk);
        }
        for (int i = 0; i < 50; i++) {
          out.write(chunk);
          Thread.onSpinWait();
        }
      });

      final int closeCode = closeCode(in);

      answered.set(true);

      assertThat(closeCode).isEqualTo(4029);
      assertThat(in.read()).as("the end of the stream after the close frame, not a reset").isEqualTo(-1);
      assertThat(sending.get(10, TimeUnit.SECONDS)).as("the client's own writes were not reset").isEmpty();
    }
  }

  @Test
  void aClientThatGoesOnSendingAfterTheCloseIsDroppedAfterTheGrace() throws Exception {
    try (Socket socket = upgradedSocket()) {
      final OutputStream out = socket.getOutputStream();
      final byte[] chunk = pings(500);
      final CompletableFuture<Optional<IOException>> sending = writing(() -> {
        while (true) {
          out.write(chunk);
        }
      });

      assertThat(closeCode(socket.getInputStream())).isEqualTo(4029);

      // what it sends after the close is read and dropped for the close grace (200 ms here), then the
      // gateway lets go
      assertThat(sending.get(30, TimeUnit.SECONDS)).isPresent();
    }
  }

  /** Socket writes that may fail. */
  private interface Writes {
    void run() throws IOException;
  }

  /** Runs {@code writes} on another thread: completes with the exception that ended them, if any. */
  private static CompletableFuture<Optional<IOException>> writing(final Writes writes) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        writes.run();
        return Optional.empty();
      } catch (IOException e) {
        return Optional.of(e);
      }
    });
  }

  /** {@code count} masked text frames of a ping (mask key 0: the payload as it is). */
  private static byte[] pings(final int count) {
    final byte[] ping = "{\"op\":\"ping\",\"ref\":\"f\"}".getBytes(StandardCharsets.UTF_8);
    final byte[] frames = new byte[count * (6 + ping.length)];
    for (int at = 0; at < frames.length; at += 6 + ping.length) {
      frames[at] = (byte) 0x81;
      frames[at + 1] = (byte) (0x80 | ping.length);
      System.arraycopy(ping, 0, frames, at + 6, ping.length);
    }
    return frames;
  }

  /** Reads the server's frames up to its close frame; returns the close code. */
  private static int closeCode(final InputStream in) throws IOException {
    while (true) {
      final int first = in.read();
      if (first < 0) {
        throw new EOFException("the connection ended before a close frame");
      }
      final int opcode = first & 0x0f;
      int length = in.read();
      if (length == 126) {
        length = (in.read() << 8) | in.read();
      }
      final byte[] payload = in.readNBytes(length);
      if (opcode == 0x8) {
        return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
      }
    }
  }

  /** A bare socket after a successful upgrade, for a test to write frames to as it likes. */
  private static Socket upgradedSocket() throws IOException {
    final Socket socket = new Socket(endpoint.getHost(), endpoint.getPort());
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(
        WsClient.upgradeRequest(endpoint, Tokens.valid(TestKit.newUser())).getBytes(StandardCharsets.US_ASCII));
    assertThat(responseHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
    return socket;
  }

  private static String responseHead(final InputStream in) throws IOException {
    final StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      final int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }
}
