package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.launcher.DemoServer;
import io.tidewire.launcher.demo.DemoUser;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo as {@code tidewire demo} runs it (its own embedded PostgreSQL and Kafka): its
 * endpoints mint tokens for demo users only, and the tokens open a live session.
 */
class DemoModeIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static DemoServer demo;

  @BeforeAll
  static void startDemo() {
    demo = DemoServer.start(DemoServer.Options.forTests());
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void demoEndpointsMintTokensForDemoUsersOnly() throws Exception {
    final JsonNode users = WsClient.JSON.readTree(get("/demo/users").body());
    assertThat(users).hasSize(DemoUser.ALL.size());
    final String alice = users.get(0).path("id").asText();

    final HttpResponse<String> minted = post("/demo/token?user=" + alice);
    assertThat(minted.statusCode()).isEqualTo(200);
    final String token = WsClient.JSON.readTree(minted.body()).path("token").asText();
    try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + demo.httpPort()
        + "/v1/realtime"), token)) {
      assertThat(client.subscribe("1", "user").path("op").asText()).isEqualTo("subscribed");
    }

    assertThat(post("/demo/token?user=" + UUID.randomUUID()).statusCode()).isEqualTo(404);
    assertThat(post("/demo/token").statusCode()).isEqualTo(404);
    assertThat(get("/demo/token?user=" + alice).statusCode()).isEqualTo(405);
  }

  @Test
  void theCommentEndpointWritesCommentsOfDemoUsersOnlyAndChecksItsInput() throws Exception {
    final String alice = DemoUser.ALL.get(0).id().toString();
    try (var c = demo.dataSource().getConnection(); var ps = c.prepareStatement(
        "INSERT INTO users (id, credits) VALUES (?, 0) ON CONFLICT (id) DO NOTHING")) {
      ps.setObject(1, DemoUser.ALL.get(0).id());
      ps.executeUpdate();
    }
    final UUID video = UUID.randomUUID();
    final String ok = "/demo/comment?user=" + alice + "&contentType=video&contentId=" + video + "&body=Nice%21";

    assertThat(post(ok).statusCode()).isEqualTo(200);
    try (var c = demo.dataSource().getConnection(); var ps = c.prepareStatement(
        "SELECT body FROM comments WHERE user_id = ?::uuid AND content_id = ?")) {
      ps.setString(1, alice);
      ps.setObject(2, video);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("Nice!");
      }
    }
    assertThat(post(ok.replace(alice, UUID.randomUUID().toString())).statusCode()).isEqualTo(404);
    assertThat(post(ok.replace("contentType=video", "contentType=post")).statusCode()).isEqualTo(400);
    assertThat(post(ok.replace(video.toString(), "nope")).statusCode()).isEqualTo(400);
    assertThat(post(ok.replace("body=Nice%21", "body=%20")).statusCode()).isEqualTo(400);
  }

  private static HttpResponse<String> get(final String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(final String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(final String path) {
    return URI.create("http://127.0.0.1:" + demo.httpPort() + path);
  }
}
