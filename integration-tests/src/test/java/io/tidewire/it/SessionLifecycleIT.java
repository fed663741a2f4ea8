package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.schemas.Topics;
import io.tidewire.testing.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edges of a session's life: cursors that cannot be replayed, garbage cursors, a client that
 * cannot keep up, tokens that expire or are refreshed in-band. Real stack, real clients.
 */
class SessionLifecycleIT {

  private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycleIT.class);
  private static final SharedStack STACK = SharedStack.get();

  @Test
  void garbageCursorIsRejected() throws Exception {
    final UUID user = STACK.newUser();
    try (WsClient client = STACK.connect(user)) {
      for (final String garbage : List.of("garbage", "v1.", "v9.AAAA", "v1.!!!!", "")) {
        final String ref = "g" + garbage.hashCode();
        client.send("{\"op\":\"subscribe\",\"ref\":\"" + ref + "\",\"channel\":\"user\","
            + "\"cursor\":\"" + garbage + "\"}");
        final JsonNode reply = client.awaitFrame(f -> ref.equals(f.path("ref").asText()));
        assertThat(reply.path("op").asText()).as("reply to cursor '%s'", garbage)
            .isEqualTo("error");
        assertThat(reply.path("code").asText()).isEqualTo("bad_request");
      }
      // no subscription was made: a change of the user's is not delivered ...
      final UUID job = UUID.randomUUID();
      STACK.sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", job, user);
      // ... but the connection works: subscribe properly and see the next change
      client.subscribe("ok", "user");
      final UUID next = UUID.randomUUID();
      STACK.sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", next, user);
      client.awaitFrame(f -> next.toString().equals(f.path("data").path("jobId").asText()));
      assertThat(client.frames()).filteredOn(f -> "subscribed".equals(f.path("op").asText()))
          .hasSize(1);
    }
  }

  @Test
  void expiredCursorGetsSnapshot() throws Exception {
    final UUID user = STACK.newUser();
    final UUID done = UUID.randomUUID();
    final UUID running = UUID.randomUUID();
    final Optional<String> oldCursor;
    try (Recorder before = new Recorder(STACK.endpoint(), user, Optional.empty())) {
      STACK.sql("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'video')", done,
          user);
      await().atMost(Duration.ofSeconds(60)).until(() -> !before.events().isEmpty());
      oldCursor = before.cursor();
    }
    // while the client is away: its job finishes, another starts, the balance moves
    STACK.sql("UPDATE generation_jobs SET status = 'completed', progress = 100 WHERE id = ?",
        done);
    STACK.sql("INSERT INTO generation_jobs (id, user_id, status, progress) VALUES "
        + "(?, ?, 'active', 40)", running, user);
    STACK.sql("UPDATE users SET credits = 93 WHERE id = ?", user);
    // ... and retention removes what it missed
    try (Recorder witness = new Recorder(STACK.endpoint(), user, Optional.empty())) {
      STACK.sql("UPDATE generation_jobs SET progress = 41 WHERE id = ?", running);
      // every change so far is in Kafka once the last one reached a client
      await().atMost(Duration.ofSeconds(60))
          .until(() -> hasProgress(witness.events(), running, 41));
    }
    deleteUserEventsOfPartitionOf(user);

    try (Recorder back = new Recorder(STACK.endpoint(), user, oldCursor)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> !back.snapshots.isEmpty());
      assertThat(back.subscribed).first().satisfies(s -> assertThat(s.recovered()).isFalse());
      final JsonNode state = back.snapshots.get(0).data();
      assertThat(state.path("balance").asLong()).isEqualTo(93);
      assertThat(state.path("activeJobs")).hasSize(1);
      assertThat(state.path("activeJobs").get(0).path("jobId").asText())
          .isEqualTo(running.toString());
      assertThat(state.path("activeJobs").get(0).path("progress").asInt()).isEqualTo(41);

      STACK.sql("UPDATE generation_jobs SET progress = 42 WHERE id = ?", running);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> hasProgress(back.events(), running, 42));
      assertThat(back.timeline.get(0).path("op").asText()).as("snapshot before live events")
          .isEqualTo("snapshot");
    }
  }

  @Test
  void slowConsumerIsCutOffAndResumesWithoutLoss() throws Exception {
    final UUID user = STACK.newUser();
    final Counter cutOff = STACK.gatewayMeters().counter("tidewire.gateway.slow.consumer.disconnects");
    final double cutBefore = cutOff.count();
    final int events = 3_000;
    final String cursor;
    try (WsClient stalled = WsClient.connectStalled(STACK.endpoint(), STACK.token(user))) {
      cursor = stalled.awaitFrame(f -> "subscribed".equals(f.path("op").asText()))
          .path("cursor").asText();
      // ~4 KB per event: far more than the send queue (4 MiB) and the socket buffers hold
      STACK.sql("INSERT INTO generation_jobs (user_id, status, error) SELECT ?, 'failed', "
          + "repeat('x', 4000) || g FROM generate_series(1, ?) g", user, events);
      await().atMost(Duration.ofMinutes(2)).until(() -> cutOff.count() > cutBefore);
    }
    final DistributionSummary peak =
        STACK.gatewayMeters().find("tidewire.gateway.send.queue.peak.bytes").summary();
    assertThat(peak).isNotNull();
    assertThat(peak.max()).as("most bytes queued for one session")
        .isLessThanOrEqualTo(GatewayConfig.DEFAULT_SEND_QUEUE_BYTES + 64 * 1024);
    LOG.info("slow consumer cut off; its send queue peaked at {} bytes", (long) peak.max());

    try (Recorder resumed = new Recorder(STACK.endpoint(), user, Optional.of(cursor))) {
      // each failed job also makes a notification; the progress events are the ledger here
      await().atMost(Duration.ofMinutes(2))
          .until(() -> progressEvents(resumed).size() >= events);
      assertThat(resumed.subscribed).first().satisfies(s -> assertThat(s.recovered()).isTrue());
      assertThat(progressEvents(resumed)).hasSize(events);
      assertThat(resumed.events()).map(e -> e.path("id").asText()).doesNotHaveDuplicates();
    }
  }

  @Test
  void expiredTokenClosesWithTokenExpired() throws Exception {
    final UUID user = STACK.newUser();
    final String shortLived = SharedStack.TOKENS.mint(user.toString(), Duration.ofSeconds(2));
    try (WsClient client = WsClient.connect(STACK.endpoint(), shortLived)) {
      client.subscribe("1", "user");
      final JsonNode error = client.awaitFrame(f -> "error".equals(f.path("op").asText()));
      assertThat(error.path("code").asText()).isEqualTo("token_expired");
      assertThat(client.closed().get(30, TimeUnit.SECONDS)).isEqualTo(4001);
    }
  }

  @Test
  void authOpRefreshesToken() throws Exception {
    final UUID user = STACK.newUser();
    final Instant firstExpiry = Instant.now().plusSeconds(2);
    final String shortLived = SharedStack.TOKENS.mint(user.toString(), Duration.ofSeconds(2));
    try (WsClient client = WsClient.connect(STACK.endpoint(), shortLived)) {
      client.subscribe("1", "user");
      client.send("{\"op\":\"auth\",\"ref\":\"2\",\"token\":\"" + STACK.token(user) + "\"}");
      assertThat(client.awaitFrame(f -> "2".equals(f.path("ref").asText())).path("op").asText())
          .isEqualTo("authenticated");
      await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(
          firstExpiry.plusSeconds(1)));

      final UUID job = UUID.randomUUID();
      STACK.sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", job, user);
      client.awaitFrame(f -> job.toString().equals(f.path("data").path("jobId").asText()));
      client.send("{\"op\":\"ping\",\"ref\":\"3\"}");
      assertThat(client.awaitFrame(f -> "3".equals(f.path("ref").asText())).path("op").asText())
          .isEqualTo("pong");
      assertThat(client.frames()).noneMatch(f -> "error".equals(f.path("op").asText()));
      assertThat(client.closed()).isNotDone();

      // a token for someone else is refused and the session keeps its own
      client.send("{\"op\":\"auth\",\"ref\":\"4\",\"token\":\""
          + STACK.token(UUID.randomUUID()) + "\"}");
      assertThat(client.awaitFrame(f -> "4".equals(f.path("ref").asText())).path("code")
          .asText()).isEqualTo("forbidden");
    }
  }

  private static boolean hasProgress(final List<JsonNode> events, final UUID job,
      final int progress) {
    return events.stream().anyMatch(e -> job.toString().equals(e.path("data").path("jobId")
        .asText()) && e.path("data").path("progress").asInt() == progress);
  }

  private static List<JsonNode> progressEvents(final Recorder recorder) {
    return recorder.events().stream()
        .filter(e -> "generation.progress".equals(e.path("type").asText())).toList();
  }

  /** Moves the log start of the user's realtime.user-events partition to its end. */
  private static void deleteUserEventsOfPartitionOf(final UUID user) throws Exception {
    final String topic = Topics.USER_EVENTS.name();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        STACK.kafkaBootstrap()))) {
      final int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(topic).partitions().size();
      // the processor writes with Kafka's default partitioner on the user id
      final int partition = Topics.partitionOf(user.toString(), partitions);
      final TopicPartition tp = new TopicPartition(topic, partition);
      final long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
          .get(30, TimeUnit.SECONDS).offset();
      admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end))).all()
          .get(30, TimeUnit.SECONDS);
    }
  }
}
