package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserState;
import io.tidewire.testing.WsClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The app's real-time features end to end (issue 4): credits, feed counts, content removal and
 * notifications, from SQL through capture, processor and gateway to real WebSocket clients. Each
 * test uses fresh users on the shared pipeline.
 */
class FeaturesIT {

  private static final SharedStack STACK = SharedStack.get();

  @Test
  void aLikeNotifiesTheOwnerAndUpdatesTheCountsOfFeedReaders() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID bob = STACK.newUser();
    try (WsClient owner = STACK.connect(alice); WsClient reader = STACK.connect(bob)) {
      owner.subscribe("1", "user");
      reader.subscribe("1", "feed");
      final UUID video = UUID.randomUUID();
      STACK.sql("INSERT INTO videos (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
          + "'https://cdn.example/v.mp4', 'harbour at dusk')", video, alice);
      reader.awaitFrame(event("feed.content_published", video));

      STACK.sql("INSERT INTO likes (user_id, content_type, content_id) VALUES (?, 'video', ?)", bob, video);

      final JsonNode notification = owner.awaitFrame(event("notification", video));
      assertThat(notification.path("channel").asText()).isEqualTo("user");
      assertThat(notification.path("data").path("kind").asText()).isEqualTo("like");
      assertThat(notification.path("data").path("id").asText()).isEqualTo(notification.path("id").asText());
      assertThat(notification.path("data").path("refs").path("actorId").asText()).isEqualTo(bob.toString());
      assertThat(notification.path("data").path("refs").path("contentType").asText()).isEqualTo("video");
      final JsonNode counts = reader.awaitFrame(event("feed.counts", video)
          .and(f -> f.path("data").path("likes").asLong() == 1));
      assertThat(counts.path("channel").asText()).isEqualTo("feed");
      assertThat(counts.path("data").path("comments").asLong()).isZero();

      // the owner's own like and comment count, but notify nobody
      STACK.sql("INSERT INTO likes (user_id, content_type, content_id) VALUES (?, 'video', ?)", alice, video);
      STACK.sql("INSERT INTO comments (user_id, content_type, content_id, body) VALUES (?, 'video', ?, "
          + "'thanks!')", alice, video);
      reader.awaitFrame(event("feed.counts", video).and(f -> f.path("data").path("likes").asLong() == 2
          && f.path("data").path("comments").asLong() == 1));
      // and an unlike takes one off
      STACK.sql("DELETE FROM likes WHERE user_id = ? AND content_type = 'video' AND content_id = ?", bob, video);
      reader.awaitFrame(event("feed.counts", video).and(f -> f.path("data").path("likes").asLong() == 1
          && f.path("data").path("comments").asLong() == 1));
      assertThat(owner.events()).filteredOn(event("notification", video)).hasSize(1);
    }
  }

  @Test
  void aCreditTransactionUpdatesTheBalanceOnEverySessionOfTheUser() throws Exception {
    final UUID user = STACK.newUser();
    try (WsClient tab = STACK.connect(user); WsClient phone = STACK.connect(user)) {
      tab.subscribe("1", "user");
      phone.subscribe("1", "user");
      final UUID spend = UUID.randomUUID();
      // the transaction row and the balance update in one PostgreSQL transaction (one statement)
      STACK.sql("WITH t AS (INSERT INTO credit_transactions (id, user_id, amount, reason) "
          + "VALUES (?, ?, -7, 'video generation') RETURNING user_id, amount) "
          + "UPDATE users SET credits = credits + t.amount FROM t WHERE users.id = t.user_id", spend, user);

      final JsonNode onTab = tab.awaitFrame(credits(spend));
      final JsonNode onPhone = phone.awaitFrame(credits(spend));
      for (final JsonNode frame : List.of(onTab, onPhone)) {
        assertThat(frame.path("channel").asText()).isEqualTo("user");
        assertThat(frame.path("data").path("balance").asLong()).isEqualTo(93);
        assertThat(frame.path("data").path("delta").asLong()).isEqualTo(-7);
        assertThat(frame.path("data").path("reason").asText()).isEqualTo("video generation");
      }
      assertThat(onPhone.path("id").asText()).isEqualTo(onTab.path("id").asText());

      // balance first, transaction row second, in one explicit transaction: the same join
      final UUID purchase = UUID.randomUUID();
      try (Connection c = STACK.db().getConnection()) {
        c.setAutoCommit(false);
        execute(c, "UPDATE users SET credits = credits + 100 WHERE id = ?", user);
        execute(c, "INSERT INTO credit_transactions (id, user_id, amount, reason) VALUES (?, ?, 100, "
            + "'credit purchase')", purchase, user);
        c.commit();
      }
      for (final WsClient session : List.of(tab, phone)) {
        final JsonNode frame = session.awaitFrame(credits(purchase));
        assertThat(frame.path("data").path("balance").asLong()).isEqualTo(193);
        assertThat(frame.path("data").path("delta").asLong()).isEqualTo(100);
        assertThat(frame.path("data").path("reason").asText()).isEqualTo("credit purchase");
      }
      assertThat(tab.events()).filteredOn(f -> "credits.updated".equals(f.path("type").asText()))
          .as("one event per balance change, none for the new user's starting balance").hasSize(2);
    }
  }

  @Test
  void contentMadePrivateOrDeletedIsRemovedFromTheFeed() throws Exception {
    final UUID author = STACK.newUser();
    final UUID reader = STACK.newUser();
    try (WsClient client = STACK.connect(reader)) {
      client.subscribe("1", "feed");
      final UUID video = UUID.randomUUID();
      final UUID image = UUID.randomUUID();
      STACK.sql("INSERT INTO videos (id, user_id, is_public) VALUES (?, ?, true)", video, author);
      STACK.sql("INSERT INTO images (id, user_id, is_public) VALUES (?, ?, true)", image, author);
      client.awaitFrame(event("feed.content_published", video));
      client.awaitFrame(event("feed.content_published", image));

      STACK.sql("UPDATE videos SET is_public = false WHERE id = ?", video);
      STACK.sql("DELETE FROM images WHERE id = ?", image);

      assertThat(client.awaitFrame(event("feed.content_removed", video)).path("data").path("reason").asText())
          .isEqualTo("private");
      final JsonNode deleted = client.awaitFrame(event("feed.content_removed", image));
      assertThat(deleted.path("data").path("reason").asText()).isEqualTo("deleted");
      assertThat(deleted.path("data").path("contentType").asText()).isEqualTo("image");

      STACK.sql("UPDATE videos SET is_public = true WHERE id = ?", video);
      await().atMost(Duration.ofSeconds(30)).until(() -> client.events().stream()
          .filter(event("feed.content_published", video)).count() == 2);
    }
  }

  @Test
  void finishedJobsAndReadyModelsNotifyTheirOwnerOnce() throws Exception {
    final UUID user = STACK.newUser();
    try (WsClient client = STACK.connect(user)) {
      client.subscribe("1", "user");
      final UUID done = UUID.randomUUID();
      final UUID broken = UUID.randomUUID();
      final UUID training = UUID.randomUUID();
      STACK.sql("INSERT INTO generation_jobs (id, user_id, kind, prompt) VALUES (?, ?, 'image', 'a red kite')",
          done, user);
      STACK.sql("UPDATE generation_jobs SET status = 'active', progress = 60 WHERE id = ?", done);
      STACK.sql("UPDATE generation_jobs SET status = 'completed', progress = 100, result_url = "
          + "'https://cdn.example/kite.png' WHERE id = ?", done);
      STACK.sql("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'video')", broken, user);
      STACK.sql("UPDATE generation_jobs SET status = 'failed', error = 'GPU worker lost' WHERE id = ?", broken);
      STACK.sql("INSERT INTO training_jobs (id, user_id, total_steps) VALUES (?, ?, 2)", training, user);
      STACK.sql("UPDATE training_jobs SET status = 'active', step = 1 WHERE id = ?", training);
      STACK.sql("UPDATE training_jobs SET status = 'completed', step = 2, model_id = 'model-kite' WHERE id = ?",
          training);

      final JsonNode completed = client.awaitFrame(notification("generation_completed", done));
      assertThat(completed.path("data").path("title").asText()).isEqualTo("Your image is ready");
      assertThat(completed.path("data").path("refs").path("resultUrl").asText())
          .isEqualTo("https://cdn.example/kite.png");
      final JsonNode failed = client.awaitFrame(notification("generation_failed", broken));
      assertThat(failed.path("data").path("refs").path("error").asText()).isEqualTo("GPU worker lost");
      final JsonNode ready = client.awaitFrame(notification("model_ready", training));
      assertThat(ready.path("data").path("refs").path("modelId").asText()).isEqualTo("model-kite");
      final JsonNode progress = client.awaitFrame(f -> "training.progress".equals(f.path("type").asText())
          && "completed".equals(f.path("data").path("status").asText())
          && training.toString().equals(f.path("data").path("jobId").asText()));
      assertThat(progress.path("data").path("modelId").asText()).isEqualTo("model-kite");
      assertThat(progress.path("data").path("progress").asInt()).isEqualTo(100);
      assertThat(progress.path("data").path("step").asInt()).isEqualTo(2);
      assertThat(progress.path("data").path("totalSteps").asInt()).isEqualTo(2);

      // later updates of the finished job are progress events, not new notifications: events of one
      // row keep their order, so once the last of them is here every notification they caused is too
      STACK.sql("UPDATE generation_jobs SET updated_at = now() WHERE id = ?", done);
      STACK.sql("UPDATE generation_jobs SET prompt = 'a red kite, again' WHERE id = ?", done);
      await().atMost(Duration.ofSeconds(30)).until(() -> client.events().stream()
          .filter(f -> "generation.progress".equals(f.path("type").asText())
              && done.toString().equals(f.path("data").path("jobId").asText()))
          .count() == 5);
      assertThat(client.events()).filteredOn(notification("generation_completed", done)).hasSize(1);
    }
  }

  @Test
  void aJobGivenToAnotherUserLeavesTheFirstUsersStateAndReachesTheSecond() throws Exception {
    // the capture puts each job change in its owner's partition: choose owners in different ones,
    // so the move crosses tasks (the old owner's part takes the repartition topic)
    final UUID alice = STACK.newUser();
    UUID other = STACK.newUser();
    while (Topics.partitionOf(other.toString(), STACK.topicPartitions())
        == Topics.partitionOf(alice.toString(), STACK.topicPartitions())) {
      other = STACK.newUser();
    }
    final UUID bob = other;
    final UUID job = UUID.randomUUID();
    try (WsClient first = STACK.connect(alice); WsClient second = STACK.connect(bob)) {
      first.subscribe("1", "user");
      second.subscribe("1", "user");
      STACK.sql("INSERT INTO generation_jobs (id, user_id, kind, status) VALUES (?, ?, 'video', 'active')", job, alice);
      for (int progress = 10; progress <= 40; progress += 10) {
        STACK.sql("UPDATE generation_jobs SET progress = ? WHERE id = ?", progress, job);
      }
      STACK.sql("UPDATE generation_jobs SET user_id = ?, progress = 50 WHERE id = ?", bob, job);
      STACK.sql("UPDATE generation_jobs SET progress = 60 WHERE id = ?", job);

      second.awaitFrame(progress(job, 60));
      first.awaitFrame(progress(job, 40));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(activeJobs(alice)).as("the old owner's state").isEmpty();
        assertThat(activeJobs(bob)).as("the new owner's state").containsExactly(job + "@60");
      });
      assertThat(first.events()).filteredOn(f -> "generation.progress".equals(f.path("type").asText()))
          .extracting(f -> f.path("data").path("progress").asInt()).as("in order, none after the move")
          .containsExactly(0, 10, 20, 30, 40);
      assertThat(second.events()).filteredOn(f -> "generation.progress".equals(f.path("type").asText()))
          .extracting(f -> f.path("data").path("progress").asInt()).containsExactly(50, 60);
    }
  }

  /** The active jobs, {@code id@progress}, of the user's last state on {@code realtime.user-state}. */
  private static List<String> activeJobs(final UUID user) {
    final List<UserState> states = CommittedRecords.of(STACK.kafkaBootstrap(), Topics.USER_STATE, user.toString());
    if (states.isEmpty() || states.get(states.size() - 1) == null) {
      return List.of();
    }
    return states.get(states.size() - 1).getActiveJobs().stream()
        .map(j -> j.getJobId() + "@" + j.getProgress()).toList();
  }

  private static Predicate<JsonNode> progress(final UUID job, final int progress) {
    return f -> "generation.progress".equals(f.path("type").asText())
        && job.toString().equals(f.path("data").path("jobId").asText())
        && f.path("data").path("progress").asInt() == progress;
  }

  private static void execute(final Connection c, final String sql, final Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  /** An event of {@code type} about content {@code contentId}. */
  private static Predicate<JsonNode> event(final String type, final UUID contentId) {
    return f -> "event".equals(f.path("op").asText()) && type.equals(f.path("type").asText())
        && (contentId.toString().equals(f.path("data").path("contentId").asText())
            || contentId.toString().equals(f.path("data").path("refs").path("contentId").asText()));
  }

  private static Predicate<JsonNode> credits(final UUID transaction) {
    return f -> "credits.updated".equals(f.path("type").asText())
        && transaction.toString().equals(f.path("data").path("transactionId").asText());
  }

  private static Predicate<JsonNode> notification(final String kind, final UUID job) {
    return f -> "notification".equals(f.path("type").asText())
        && kind.equals(f.path("data").path("kind").asText())
        && job.toString().equals(f.path("data").path("refs").path("jobId").asText());
  }
}
