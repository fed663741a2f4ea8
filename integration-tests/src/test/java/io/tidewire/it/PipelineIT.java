package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.launcher.DevTokens;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline, live: real PostgreSQL (logical decoding), real Debezium, a real KRaft
 * broker, real Kafka Streams, the real gateway and real WebSocket clients. One stack for the
 * class; each test uses its own users.
 */
class PipelineIT {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineIT.class);
  private static final SharedStack STACK = SharedStack.get();
  private static final URI endpoint = STACK.endpoint();

  @Test
  void generationProgressArrivesInCommitOrder() throws Exception {
    final UUID user = newUser();
    try (WsClient client = WsClient.connect(endpoint, token(user))) {
      client.subscribe("1", "user");
      final UUID job = UUID.randomUUID();
      final int n = 30;
      final long[] committedAt = new long[n + 1];
      sql("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'video')", job, user);
      committedAt[0] = System.nanoTime();
      for (int p = 1; p <= n; p++) {
        sql("UPDATE generation_jobs SET status = 'active', progress = ? WHERE id = ?", p, job);
        committedAt[p] = System.nanoTime();
      }
      sql("UPDATE generation_jobs SET status = 'completed', progress = 100, result_url = "
          + "'https://cdn.example/v.mp4' WHERE id = ?", job);

      await().atMost(Duration.ofSeconds(60)).until(() -> jobEvents(client, job).size() >= n + 2);
      final List<JsonNode> events = jobEvents(client, job);
      // observed, not asserted: commit -> client receipt of each change
      final long[] micros = IntStream.rangeClosed(0, n).mapToLong(i ->
          (client.receivedAt(events.get(i)) - committedAt[i]) / 1000).sorted().toArray();
      LOG.info("commit->client latency over {} changes: p50 {} ms, max {} ms", n + 1,
          micros[n / 2] / 1000.0, micros[n] / 1000.0);

      assertThat(events).hasSize(n + 2);
      assertThat(events).map(e -> e.path("data").path("progress").asInt())
          .containsExactlyElementsOf(IntStream.concat(IntStream.rangeClosed(0, n),
              IntStream.of(100)).boxed().toList());
      final JsonNode last = events.get(events.size() - 1);
      assertThat(last.path("type").asText()).isEqualTo("generation.progress");
      assertThat(last.path("data").path("status").asText()).isEqualTo("completed");
      assertThat(last.path("data").path("kind").asText()).isEqualTo("video");
      assertThat(last.path("data").path("resultUrl").asText()).isEqualTo("https://cdn.example/v.mp4");
      assertThat(events).allSatisfy(e -> {
        assertThat(e.path("id").asText()).isNotBlank();
        assertThat(e.path("cursor").asText()).isNotBlank();
        assertThat(e.path("channel").asText()).isEqualTo("user");
      });
      assertThat(events).map(e -> e.path("id").asText()).doesNotHaveDuplicates();
    }
  }

  @Test
  void neverDeliversAnotherUsersEvents() throws Exception {
    final UUID alice = newUser();
    final UUID bob = newUser();
    try (WsClient a = WsClient.connect(endpoint, token(alice));
        WsClient b = WsClient.connect(endpoint, token(bob))) {
      a.subscribe("1", "user");
      b.subscribe("1", "user");
      final JsonNode denied = a.subscribe("2", "user:" + bob);
      assertThat(denied.path("op").asText()).isEqualTo("error");
      assertThat(denied.path("code").asText()).isEqualTo("forbidden");

      final UUID aliceJob = UUID.randomUUID();
      final UUID bobJob = UUID.randomUUID();
      sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", aliceJob, alice);
      sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", bobJob, bob);
      sql("UPDATE generation_jobs SET progress = 50 WHERE id = ?", bobJob);
      sql("UPDATE generation_jobs SET progress = 50 WHERE id = ?", aliceJob);

      await().atMost(Duration.ofSeconds(60)).until(() -> jobEvents(a, aliceJob).size() == 2
          && jobEvents(b, bobJob).size() == 2);
      // nothing that mentions the other user or their job, in any event type
      assertThat(a.events()).map(JsonNode::toString)
          .noneMatch(e -> e.contains(bob.toString()) || e.contains(bobJob.toString()));
      assertThat(b.events()).map(JsonNode::toString)
          .noneMatch(e -> e.contains(alice.toString()) || e.contains(aliceJob.toString()));
      assertThat(jobEvents(a, aliceJob)).hasSize(2);
      assertThat(jobEvents(b, bobJob)).hasSize(2);
    }
  }

  @Test
  void publicContentReachesFeedSubscribers() throws Exception {
    final UUID author = newUser();
    final UUID reader = newUser();
    try (WsClient client = WsClient.connect(endpoint, token(reader))) {
      client.subscribe("1", "feed");
      final UUID video = UUID.randomUUID();
      final UUID image = UUID.randomUUID();
      sql("INSERT INTO videos (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
          + "'https://cdn.example/1.mp4', 'sunrise')", video, author);
      // private first: nothing; then made public: exactly one published event (same key, same
      // partition, so a wrongly published private insert would have arrived before it)
      sql("INSERT INTO images (id, user_id, is_public) VALUES (?, ?, false)", image, author);
      sql("UPDATE images SET is_public = true WHERE id = ?", image);

      final JsonNode published = client.awaitFrame(f -> contentId(f).equals(video.toString()));
      assertThat(published.path("channel").asText()).isEqualTo("feed");
      assertThat(published.path("type").asText()).isEqualTo("feed.content_published");
      assertThat(published.path("data").path("contentType").asText()).isEqualTo("video");
      assertThat(published.path("data").path("userId").asText()).isEqualTo(author.toString());
      assertThat(published.path("data").path("caption").asText()).isEqualTo("sunrise");

      client.awaitFrame(f -> contentId(f).equals(image.toString()));
      assertThat(client.events()).filteredOn(f -> contentId(f).equals(image.toString()))
          .hasSize(1);
    }
  }

  @Test
  void forgedTokenIsRejected() {
    final UUID user = UUID.randomUUID();
    final String forged = new DevTokens("some-other-secret-0123456789abcdef0123456789")
        .mint(user.toString(), Duration.ofMinutes(5));
    final String expired = SharedStack.TOKENS.mint(user.toString(), Duration.ofMinutes(-5));

    assertThat(WsClient.upgradeStatus(URI.create(endpoint + "?token=" + forged), Optional.empty()))
        .isEqualTo(401);
    assertThat(WsClient.upgradeStatus(URI.create(endpoint + "?token=" + expired), Optional.empty()))
        .isEqualTo(401);
    assertThat(WsClient.upgradeStatus(endpoint, Optional.empty())).isEqualTo(401);
    assertThat(WsClient.upgradeStatus(URI.create(endpoint + "?token=garbage"), Optional.empty()))
        .isEqualTo(401);
    assertThat(WsClient.upgradeStatus(endpoint, Optional.of("Bearer " + forged))).isEqualTo(401);
    assertThat(WsClient.upgradeStatus(endpoint, Optional.of("Bearer " + token(user))))
        .isEqualTo(101);
  }

  @Test
  void malformedFramesGetErrorsAndConnectionSurvives() throws Exception {
    final UUID user = newUser();
    try (WsClient client = WsClient.connect(endpoint, token(user));
        WsClient bystander = WsClient.connect(endpoint, token(user))) {
      client.send("this is not json");
      client.awaitFrame(f -> "error".equals(f.path("op").asText())
          && "bad_request".equals(f.path("code").asText()));

      client.send("{\"op\":\"dance\",\"ref\":\"7\"}");
      assertThat(client.awaitFrame(f -> "7".equals(f.path("ref").asText())).path("code").asText())
          .isEqualTo("bad_request");

      client.send("{\"op\":\"subscribe\",\"ref\":\"8\",\"channel\":\"nope\"}");
      assertThat(client.awaitFrame(f -> "8".equals(f.path("ref").asText())).path("code").asText())
          .isEqualTo("bad_request");

      client.send("{\"op\":\"subscribe\",\"ref\":\"9\"}");
      assertThat(client.awaitFrame(f -> "9".equals(f.path("ref").asText())).path("code").asText())
          .isEqualTo("bad_request");

      client.send("{\"op\":\"ping\",\"ref\":\"10\"}");
      assertThat(client.awaitFrame(f -> "10".equals(f.path("ref").asText())).path("op").asText())
          .isEqualTo("pong");

      // a huge frame closes that connection only
      bystander.subscribe("1", "user");
      client.sendExpectingClose("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(200_000) + "\"}");
      assertThat(client.closed().get(30, TimeUnit.SECONDS)).isEqualTo(1009);

      bystander.send("{\"op\":\"ping\",\"ref\":\"11\"}");
      assertThat(bystander.awaitFrame(f -> "11".equals(f.path("ref").asText())).path("op").asText())
          .isEqualTo("pong");
      final UUID job = UUID.randomUUID();
      sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", job, user);
      await().atMost(Duration.ofSeconds(60)).until(() -> jobEvents(bystander, job).size() == 1);
    }
  }

  private static String contentId(final JsonNode frame) {
    return frame.path("data").path("contentId").asText();
  }

  private static List<JsonNode> jobEvents(final WsClient client, final UUID job) {
    return client.events().stream()
        .filter(e -> job.toString().equals(e.path("data").path("jobId").asText()))
        .toList();
  }

  private static String token(final UUID user) {
    return STACK.token(user);
  }

  private static UUID newUser() throws SQLException {
    return STACK.newUser();
  }

  private static void sql(final String sql, final Object... args) throws SQLException {
    STACK.sql(sql, args);
  }
}
