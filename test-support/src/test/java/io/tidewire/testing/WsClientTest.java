package io.tidewire.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real (Tyrus) server, in each of its modes. */
class WsClientTest {

  private static EchoServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new EchoServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static boolean isEvent(final JsonNode frame, final int i) {
    return ("e" + i).equals(frame.path("id").textValue());
  }

  @Test
  void recordsEveryFrameInOrderWithItsArrivalTime() throws Exception {
    try (WsClient client = WsClient.connect(server.endpoint(), "t")) {
      client.send("{\"op\":\"pong\",\"ref\":\"1\"}").send("not json").sendBinary(new byte[] {7});
      client.send("burst:3");

      client.awaitFrame(f -> isEvent(f, 2));
      assertThat(client.frames()).extracting(f -> f.path("op").textValue())
          .containsExactly("pong", "unparseable", "binary", "event", "event", "event");
      assertThat(client.frames().get(1).path("raw").textValue()).isEqualTo("not json");
      assertThat(client.frames().get(2).path("data").binaryValue()).containsExactly(7);
      assertThat(client.events()).hasSize(3);
      assertThat(client.receivedAt(client.events().get(2)))
          .isGreaterThanOrEqualTo(client.receivedAt(client.events().get(0)));
      assertThat(client.isOpen()).isTrue();
    }
  }

  @Test
  void reportsTheServersCloseCodeInEveryMode() {
    try (WsClient normal = WsClient.connect(server.endpoint(), "t");
         WsClient raw = WsClient.raw(server.endpoint(), "t").resume()) {
      normal.send("close:4008");
      raw.send("close:4001");

      assertThat(normal.awaitClose()).isEqualTo(4008);
      assertThat(raw.awaitClose()).isEqualTo(4001);
      assertThat(raw.readsToTheEnd(Duration.ofSeconds(10))).isTrue();
      assertThat(raw.isOpen()).isFalse();
    }
  }

  @Test
  void pausedClientReadsNothingMoreUntilResumed() {
    try (WsClient client = WsClient.connect(server.endpoint(), "t")) {
      client.pauseAfter(f -> isEvent(f, 4)).send("burst:50");

      client.awaitFrame(f -> isEvent(f, 4));
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> client.events().size() == 5);

      client.resume();
      client.awaitFrame(f -> isEvent(f, 49));
      assertThat(client.events()).hasSize(50);
    }
  }

  @Test
  void rawClientReadsNothingAfterTheHandshakeUntilResumed() {
    try (WsClient raw = WsClient.raw(server.endpoint(), "t")) {
      raw.send("{\"op\":\"echo\",\"ref\":\"1\"}");
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> raw.frames().isEmpty());

      raw.resume();
      assertThat(raw.reply("1").path("op").textValue()).isEqualTo("echo");
    }
  }

  @Test
  void rawClientSendsOversizedBinaryAndFragmentedMessagesAndAssemblesTheServers()
      throws Exception {
    final String big = "{\"op\":\"big\",\"ref\":\"b\",\"pad\":\"" + "x".repeat(70_000) + "\"}";
    try (WsClient raw = WsClient.raw(server.endpoint(), "t").resume()) {
      raw.send(big);
      raw.sendBinary(new byte[] {1, 2, 3});
      raw.sendFrame(WsFrame.text("{\"op\":\"in\",").notFinal());
      raw.sendFrame(WsFrame.of(WsFrame.CONTINUATION, "\"ref\":\"parts\"}".getBytes(
          StandardCharsets.UTF_8)));
      raw.send("fragments:{\"op\":\"out\",|\"ref\":\"f\"}");

      assertThat(raw.reply("b").path("pad").textValue()).hasSize(70_000);
      assertThat(raw.awaitFrame(f -> "binary".equals(f.path("op").textValue())).path("data")
          .binaryValue()).containsExactly(1, 2, 3);
      assertThat(raw.reply("parts").path("op").textValue()).isEqualTo("in");
      assertThat(raw.reply("f").path("op").textValue()).isEqualTo("out");
    }
  }

  @Test
  void rawClientGetsTheServersAnswerToAFrameNoLibraryWouldSend() {
    try (WsClient raw = WsClient.raw(server.endpoint(), "t").resume()) {
      raw.sendFrame(WsFrame.of(0x3, new byte[] {1}));

      assertThat(raw.awaitClose()).isEqualTo(1002);
    }
  }

  @Test
  void handshakeCanBeSentInPiecesOrSpoiled() {
    final String request = WsClient.upgradeRequest(server.endpoint(), "t");
    try (WsClient half = WsClient.rawSocket(server.endpoint());
         WsClient spoiled = WsClient.rawSocket(server.endpoint())) {
      half.sendBytes(request.substring(0, 40).getBytes(StandardCharsets.US_ASCII));
      half.sendBytes(request.substring(40).getBytes(StandardCharsets.US_ASCII));
      assertThat(half.awaitUpgrade()).isEqualTo(101);
      assertThat(half.resume().send("{\"ref\":\"p\"}").reply("p")).isNotNull();

      spoiled.sendBytes(request.replace("Version: 13", "Version: 7")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(spoiled.awaitUpgrade()).isNotEqualTo(101);
    }
  }

  @Test
  void upgradeStatusIsTheServersAnswer() {
    final URI elsewhere = URI.create(server.endpoint().toString().replace(WsClient.PATH, "/nope"));
    assertThat(WsClient.upgradeStatus(server.endpoint(), Optional.of("Bearer t"))).isEqualTo(101);
    assertThat(WsClient.upgradeStatus(elsewhere, Optional.empty())).isEqualTo(404);
  }
}
