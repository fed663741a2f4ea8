package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tidewire.schemas.avro.ContentRemoved;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.FeedCounts;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.Notification;
import io.tidewire.schemas.avro.TrainingProgress;
import io.tidewire.schemas.avro.UserEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The stateful features in {@code TopologyTestDriver}: credits join, feed counts, notifications,
 * and de-duplication across all of them. Wall-clock time only moves when a test advances it.
 */
class FeaturesTopologyTest {

  private static final String ALICE = "a11ce000-0000-4000-8000-000000000001";
  private static final String BOB = "b0b00000-0000-4000-8000-000000000002";
  private static final String VIDEO = "0f000000-0000-4000-8000-0000000000a1";

  private TestTopology topology;
  private long lsn = 10_000;

  @BeforeEach
  void start() {
    topology = TestTopology.start();
  }

  @AfterEach
  void stop() {
    topology.close();
  }

  // ---- inputs ----------------------------------------------------------------------------

  private Envelopes next(final Envelopes change) {
    return change.lsn(++lsn);
  }

  private Envelopes balance(final String user, final long before, final long after, final long txId) {
    return next(Envelopes.update("public.users", user(user, before), user(user, after)).txId(txId));
  }

  private static Map<String, Object> user(final String id, final long credits) {
    return row("id", id, "email", id + "@example.com", "display_name", "someone", "credits", credits,
        "created_at", "2026-11-27T02:30:00Z", "updated_at", "2026-11-27T02:30:00Z");
  }

  private Envelopes transaction(final String id, final String user, final long amount, final String reason,
      final long txId) {
    return next(Envelopes.insert("public.credit_transactions", row("id", id, "user_id", user, "amount", amount,
        "reason", reason, "created_at", "2026-11-27T02:30:00Z")).txId(txId));
  }

  private void video(final String id, final String owner, final boolean isPublic) {
    topology.pipe("public.videos", id, next(Envelopes.insert("public.videos", videoRow(id, owner, isPublic))));
  }

  private static Map<String, Object> videoRow(final String id, final String owner, final boolean isPublic) {
    return row("id", id, "user_id", owner, "is_public", isPublic, "url", "https://cdn.example/" + id,
        "caption", "sunset", "created_at", "2026-11-27T02:30:00Z");
  }

  private static byte[] likeKey(final String user, final String contentId) {
    return Envelopes.json(Map.of("user_id", user, "content_type", "video", "content_id", contentId));
  }

  private static Map<String, Object> likeRow(final String user, final String contentId) {
    return row("user_id", user, "content_type", "video", "content_id", contentId,
        "created_at", "2026-11-27T02:30:00Z");
  }

  private Envelopes like(final String user, final String contentId) {
    return next(Envelopes.insert("public.likes", likeRow(user, contentId)));
  }

  private void pipeLike(final String user, final String contentId) {
    topology.cdc("public.likes").pipeInput(likeKey(user, contentId), like(user, contentId).bytes());
  }

  private void pipeUnlike(final String user, final String contentId) {
    topology.cdc("public.likes").pipeInput(likeKey(user, contentId),
        next(Envelopes.delete("public.likes", likeRow(user, contentId))).bytes());
    topology.cdc("public.likes").pipeInput(likeKey(user, contentId), (byte[]) null);
  }

  private void pipeComment(final String id, final String user, final String contentId, final String body) {
    topology.pipe("public.comments", id, next(Envelopes.insert("public.comments", row("id", id, "user_id", user,
        "content_type", "video", "content_id", contentId, "body", body, "created_at", "2026-11-27T02:30:00Z"))));
  }

  // ---- outputs ---------------------------------------------------------------------------

  private List<UserEvent> userEvents(final String type) {
    return topology.userEvents.readValuesToList().stream().filter(e -> e.getType().equals(type)).toList();
  }

  private List<KeyValue<String, FeedEvent>> feed() {
    return topology.feedEvents.readKeyValuesToList();
  }

  private static List<FeedCounts> counts(final List<KeyValue<String, FeedEvent>> events) {
    return events.stream().filter(kv -> kv.value.getType().equals("feed.counts"))
        .map(kv -> (FeedCounts) kv.value.getData()).toList();
  }

  private static FeedCounts counts(final long likes, final long comments) {
    return FeedCounts.newBuilder().setContentType("video").setContentId(VIDEO).setLikes(likes)
        .setComments(comments).build();
  }

  private static CreditsUpdated credits(final UserEvent event) {
    return (CreditsUpdated) event.getData();
  }

  private static Notification notification(final UserEvent event) {
    return (Notification) event.getData();
  }

  @Nested
  class CreditsUpdatedEvents {

    @Test
    void aBalanceChangeCarriesTheTransactionOfTheSamePostgresTransaction() {
      topology.pipe("public.credit_transactions", "t1", transaction("t1", ALICE, -7, "video generation", 501));
      final Envelopes change = balance(ALICE, 100, 93, 501);
      topology.pipe("public.users", ALICE, change);

      final List<KeyValue<String, UserEvent>> events = topology.userEvents.readKeyValuesToList();

      assertThat(events).singleElement().satisfies(kv -> {
        assertThat(kv.key).isEqualTo(ALICE);
        assertThat(kv.value.getType()).isEqualTo("credits.updated");
        assertThat(kv.value.getUserId()).isEqualTo(ALICE);
        assertThat(kv.value.getSource().getTable()).isEqualTo("public.users");
        assertThat(kv.value.getSource().getTxId()).isEqualTo(501L);
        assertThat(kv.value.getTs()).isEqualTo(1_700_000_000_000L);
        assertThat(credits(kv.value)).isEqualTo(CreditsUpdated.newBuilder().setBalance(93).setDelta(-7)
            .setTransactionId("t1").setReason("video generation").build());
      });
      assertThat(topology.counter("tidewire.processor.events", "type", "credits.updated")).isEqualTo(1);
    }

    @Test
    void aBalanceChangeThatArrivesBeforeItsTransactionWaitsForIt() {
      topology.pipe("public.users", ALICE, balance(ALICE, 100, 102, 600));
      topology.advance(Duration.ofMillis(500));
      assertThat(topology.userEvents.isEmpty()).isTrue();

      topology.pipe("public.credit_transactions", "t2", transaction("t2", ALICE, 2, "bonus", 600));

      assertThat(userEvents("credits.updated")).singleElement().satisfies(e -> {
        assertThat(credits(e).getTransactionId()).isEqualTo("t2");
        assertThat(credits(e).getReason()).isEqualTo("bonus");
        assertThat(credits(e).getBalance()).isEqualTo(102);
      });
      topology.advance(Duration.ofSeconds(5));
      assertThat(topology.userEvents.isEmpty()).as("never twice for one balance change").isTrue();
    }

    @Test
    void aBalanceChangeWithoutTransactionGoesOutAloneWhenTheWaitIsOver() {
      topology.pipe("public.users", ALICE, balance(ALICE, 100, 250, 700));
      // a transaction row of another PostgreSQL transaction, even with the same amount, is not the cause
      topology.pipe("public.credit_transactions", "t3", transaction("t3", ALICE, 150, "purchase", 701));

      topology.advance(Duration.ofMillis(1_500));
      assertThat(topology.userEvents.isEmpty()).isTrue();
      topology.advance(Duration.ofMillis(700));

      assertThat(userEvents("credits.updated")).singleElement().satisfies(e -> {
        assertThat(credits(e).getBalance()).isEqualTo(250);
        assertThat(credits(e).getDelta()).isEqualTo(150);
        assertThat(credits(e).getTransactionId()).isNull();
        assertThat(credits(e).getReason()).isNull();
      });
      assertThat(topology.counter("tidewire.processor.credits.unmatched", "side", "balance")).isEqualTo(1);
      assertThat(topology.counter("tidewire.processor.credits.unmatched", "side", "transaction")).isEqualTo(1);
    }

    @Test
    void balanceChangesOfOneUserGoOutInTheOrderTheyHappened() {
      topology.pipe("public.users", ALICE, balance(ALICE, 100, 93, 801));
      topology.pipe("public.users", ALICE, balance(ALICE, 93, 91, 802));
      topology.pipe("public.credit_transactions", "t5", transaction("t5", ALICE, -2, "image generation", 802));
      assertThat(topology.userEvents.isEmpty()).as("the later change waits for the earlier one").isTrue();

      topology.pipe("public.credit_transactions", "t4", transaction("t4", ALICE, -7, "video generation", 801));

      assertThat(userEvents("credits.updated")).extracting(e -> credits(e).getBalance(),
          e -> credits(e).getTransactionId()).containsExactly(
              tuple(93L, "t4"), tuple(91L, "t5"));
    }

    @Test
    void aClampedBalanceIsPairedWithTheTransactionOfItsPostgresTransactionWhenTheWaitIsOver() {
      topology.pipe("public.credit_transactions", "t6", transaction("t6", ALICE, -7, "video generation", 900));
      topology.pipe("public.users", ALICE, balance(ALICE, 3, 0, 900));
      assertThat(topology.userEvents.isEmpty()).isTrue();

      topology.advance(Duration.ofMillis(2_100));

      assertThat(userEvents("credits.updated")).singleElement().satisfies(e -> {
        assertThat(credits(e).getDelta()).isEqualTo(-3);
        assertThat(credits(e).getTransactionId()).isEqualTo("t6");
      });
    }

    @Test
    void aRedeliveredBalanceChangeAndTransactionYieldOneCreditsUpdated() {
      final Envelopes tx = transaction("t7", ALICE, 5, "refund", 950);
      final Envelopes change = balance(ALICE, 10, 15, 950);
      topology.pipe("public.users", ALICE, change);
      topology.pipe("public.credit_transactions", "t7", tx);
      topology.pipe("public.users", ALICE, change);
      topology.pipe("public.credit_transactions", "t7", tx);
      topology.advance(Duration.ofSeconds(5));

      assertThat(userEvents("credits.updated")).singleElement()
          .satisfies(e -> assertThat(credits(e).getTransactionId()).isEqualTo("t7"));
      assertThat(topology.counter("tidewire.processor.duplicates", "table", "public.users")).isEqualTo(1);
      assertThat(topology.counter("tidewire.processor.credits.unmatched", "side", "transaction")).isZero();
    }

    @Test
    void onlyChangesOfABalanceYieldCreditsUpdatedAndUsersHaveNoGenericEvents() {
      topology.pipe("public.users", ALICE, next(Envelopes.update("public.users", user(ALICE, 5), user(ALICE, 5))));
      topology.pipe("public.users", BOB, next(Envelopes.snapshot("public.users", user(BOB, 40))));
      topology.pipe("public.users", BOB, next(Envelopes.delete("public.users", user(BOB, 40))));
      topology.cdc("public.users").pipeInput(Envelopes.idKey(BOB), (byte[]) null);
      topology.pipe("public.users", "c0ffee00-0000-4000-8000-000000000003",
          next(Envelopes.insert("public.users", user("c0ffee00-0000-4000-8000-000000000003", 100))));
      topology.advance(Duration.ofSeconds(3));

      assertThat(topology.userEvents.isEmpty()).as("no change of a balance, no event").isTrue();
      assertThat(topology.deadLetters.isEmpty()).isTrue();
    }
  }

  @Nested
  class FeedCountsEvents {

    @Test
    void likesAndCommentsAreCountedPerContentItem() {
      video(VIDEO, ALICE, true);
      pipeLike(BOB, VIDEO);

      assertThat(counts(feed())).as("the first change after a quiet interval goes out at once")
          .containsExactly(counts(1, 0));

      pipeComment("c1", BOB, VIDEO, "Love it");
      pipeComment("c2", ALICE, VIDEO, "Thanks!");
      assertThat(counts(feed())).isEmpty();
      topology.advance(Duration.ofMillis(300));

      final List<KeyValue<String, FeedEvent>> later = feed();
      assertThat(counts(later)).containsExactly(counts(1, 2));
      assertThat(later.get(0).key).isEqualTo("video:" + VIDEO);
      assertThat(later.get(0).value.getSource().getTable()).isEqualTo("public.comments");
    }

    @Test
    void aBurstOfLikesBecomesFewCountsThatEndOnTheTrueCount() {
      video(VIDEO, ALICE, true);
      feed();
      for (int i = 0; i < 60; i++) {
        pipeLike(user(i), VIDEO);
        topology.advance(Duration.ofMillis(10));
      }
      for (int i = 0; i < 10; i++) {
        pipeUnlike(user(i), VIDEO);
        topology.advance(Duration.ofMillis(10));
      }
      topology.advance(Duration.ofMillis(300));

      final List<FeedCounts> counts = counts(feed());
      // 700 ms of changes at one update per 250 ms: the leading one, two or three in between, the last
      assertThat(counts).hasSizeBetween(2, 5);
      assertThat(counts.get(counts.size() - 1)).isEqualTo(counts(50, 0));
      topology.advance(Duration.ofSeconds(1));
      assertThat(counts(feed())).as("nothing more once the true count is out").isEmpty();
      assertThat(topology.deadLetters.isEmpty()).as("unlike tombstones are skipped").isTrue();
    }

    private String user(final int i) {
      return String.format("00000000-0000-4000-8000-%012d", i);
    }

    @Test
    void aRedeliveredLikeIsCountedOnce() {
      video(VIDEO, ALICE, true);
      final byte[] like = like(BOB, VIDEO).bytes();
      topology.cdc("public.likes").pipeInput(likeKey(BOB, VIDEO), like);
      topology.cdc("public.likes").pipeInput(likeKey(BOB, VIDEO), like);
      topology.advance(Duration.ofMillis(300));

      assertThat(counts(feed())).containsExactly(counts(1, 0));
      assertThat(userEvents("notification")).hasSize(1);
    }

    @Test
    void privateContentGetsCountsOnlyOnceItIsPublic() {
      video(VIDEO, ALICE, false);
      pipeLike(BOB, VIDEO);
      topology.advance(Duration.ofMillis(300));
      assertThat(feed()).isEmpty();

      topology.pipe("public.videos", VIDEO, next(Envelopes.update("public.videos", videoRow(VIDEO, ALICE, false),
          videoRow(VIDEO, ALICE, true))));

      assertThat(feed()).extracting(kv -> kv.value.getType())
          .containsExactly("feed.content_published", "feed.counts");
    }

    @Test
    void contentMadePrivateIsRemovedAndGetsNoMoreCounts() {
      video(VIDEO, ALICE, true);
      topology.pipe("public.videos", VIDEO, next(Envelopes.update("public.videos", videoRow(VIDEO, ALICE, true),
          videoRow(VIDEO, ALICE, false))));
      pipeLike(BOB, VIDEO);
      topology.advance(Duration.ofMillis(300));

      final List<KeyValue<String, FeedEvent>> events = feed();
      assertThat(events).extracting(kv -> kv.value.getType())
          .containsExactly("feed.content_published", "feed.content_removed");
      assertThat(events.get(1).value.getData()).isEqualTo(ContentRemoved.newBuilder().setContentType("video")
          .setContentId(VIDEO).setReason("private").build());
    }

    @Test
    void deletedContentIsRemovedAndLateUnlikesAreIgnored() {
      video(VIDEO, ALICE, true);
      pipeLike(BOB, VIDEO);
      feed();
      topology.pipe("public.videos", VIDEO, next(Envelopes.delete("public.videos", videoRow(VIDEO, ALICE, true))));
      topology.cdc("public.videos").pipeInput(Envelopes.idKey(VIDEO), (byte[]) null);
      pipeUnlike(BOB, VIDEO);
      topology.advance(Duration.ofMillis(300));

      final List<KeyValue<String, FeedEvent>> events = feed();
      assertThat(events).singleElement().satisfies(kv -> {
        assertThat(kv.value.getType()).isEqualTo("feed.content_removed");
        assertThat(((ContentRemoved) kv.value.getData()).getReason()).isEqualTo("deleted");
      });
      topology.advance(Duration.ofMinutes(2));
      assertThat(topology.driver.getKeyValueStore("feed.content").get("video:" + VIDEO))
          .as("the deleted marker expires").isNull();
      assertThat(topology.driver.getKeyValueStore("feed.timers").approximateNumEntries()).isZero();
      assertThat(topology.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void snapshotReadsAreCountedButNotNotified() {
      topology.pipe("public.videos", VIDEO, next(Envelopes.snapshot("public.videos", videoRow(VIDEO, ALICE, true))));
      topology.cdc("public.likes").pipeInput(likeKey(BOB, VIDEO),
          next(Envelopes.snapshot("public.likes", likeRow(BOB, VIDEO))).bytes());

      assertThat(counts(feed())).containsExactly(counts(1, 0));
      assertThat(userEvents("notification")).isEmpty();
    }
  }

  @Nested
  class Notifications {

    @Test
    void someoneElsesLikeNotifiesTheOwnerOnly() {
      video(VIDEO, ALICE, true);
      pipeLike(BOB, VIDEO);
      pipeLike(ALICE, VIDEO);

      final List<KeyValue<String, UserEvent>> events = topology.userEvents.readKeyValuesToList();
      assertThat(events).singleElement().satisfies(kv -> {
        assertThat(kv.key).isEqualTo(ALICE);
        assertThat(kv.value.getType()).isEqualTo("notification");
        assertThat(kv.value.getSource().getTable()).isEqualTo("public.likes");
        final Notification n = notification(kv.value);
        assertThat(n.getId()).isEqualTo(kv.value.getId());
        assertThat(n.getKind()).isEqualTo("like");
        assertThat(n.getTitle()).isEqualTo("New like");
        assertThat(n.getBody()).isEqualTo("Someone liked your video.");
        assertThat(n.getRefs()).containsOnly(Map.entry("contentType", "video"), Map.entry("contentId", VIDEO),
            Map.entry("actorId", BOB));
      });
    }

    @Test
    void aLikeThatOvertakesItsContentRowNotifiesOnceTheRowArrives() {
      pipeLike(BOB, VIDEO);
      assertThat(topology.userEvents.isEmpty()).isTrue();
      assertThat(feed()).isEmpty();

      video(VIDEO, ALICE, true);

      assertThat(userEvents("notification")).singleElement()
          .satisfies(e -> assertThat(e.getUserId()).isEqualTo(ALICE));
      assertThat(feed()).extracting(kv -> kv.value.getType()).containsExactly("feed.content_published", "feed.counts");
    }

    @Test
    void aLikeWhoseContentNeverComesIsForgottenAfterTheWait() {
      pipeLike(BOB, VIDEO);
      topology.advance(Duration.ofSeconds(61));
      assertThat(topology.registry.get("tidewire.processor.notifications.dropped").counter().count()).isEqualTo(1);

      video(VIDEO, ALICE, true);

      assertThat(topology.userEvents.isEmpty()).isTrue();
      assertThat(counts(feed())).isEmpty();
    }

    @Test
    void aCommentNotifiesWithItsText() {
      video(VIDEO, ALICE, true);
      pipeComment("c9", BOB, VIDEO, "  What a   sunset!\n");

      assertThat(userEvents("notification")).singleElement().satisfies(e -> {
        final Notification n = notification(e);
        assertThat(n.getKind()).isEqualTo("comment");
        assertThat(n.getTitle()).isEqualTo("New comment");
        assertThat(n.getBody()).isEqualTo("What a sunset!");
        assertThat(n.getRefs()).containsEntry("commentId", "c9").containsEntry("actorId", BOB);
      });
    }

    @Test
    void generationJobsNotifyOnceWhenTheyCompleteOrFail() {
      final Map<String, Object> active = job("j1", "active", 90, null, null);
      final Map<String, Object> done = job("j1", "completed", 100, null, "https://cdn.example/j1.mp4");
      topology.pipe("public.generation_jobs", "j1", next(Envelopes.update("public.generation_jobs", active, done)));
      // a later update of a finished job (say, updated_at) is no new cause
      topology.pipe("public.generation_jobs", "j1", next(Envelopes.update("public.generation_jobs", done, done)));
      topology.pipe("public.generation_jobs", "j2", next(Envelopes.insert("public.generation_jobs",
          job("j2", "failed", 10, "GPU worker lost", null))));
      topology.pipe("public.generation_jobs", "j3", next(Envelopes.snapshot("public.generation_jobs",
          job("j3", "completed", 100, null, "https://cdn.example/j3.mp4"))));

      final List<UserEvent> notifications = userEvents("notification");

      assertThat(notifications).extracting(e -> notification(e).getKind())
          .containsExactly("generation_completed", "generation_failed");
      final Notification completed = notification(notifications.get(0));
      assertThat(completed.getTitle()).isEqualTo("Your video is ready");
      assertThat(completed.getBody()).isEqualTo("\u201ca lighthouse\u201d finished.");
      assertThat(completed.getRefs()).containsOnly(Map.entry("jobId", "j1"), Map.entry("kind", "video"),
          Map.entry("resultUrl", "https://cdn.example/j1.mp4"));
      assertThat(notification(notifications.get(1)).getBody()).isEqualTo("The generation failed: GPU worker lost");
      assertThat(notifications).allSatisfy(e -> assertThat(e.getUserId()).isEqualTo(ALICE));
    }

    private Map<String, Object> job(final String id, final String status, final int progress, final String error,
        final String url) {
      return row("id", id, "user_id", ALICE, "kind", "video", "status", status, "progress", progress,
          "prompt", "a lighthouse", "error", error, "result_url", url);
    }

    @Test
    void aTrainingJobNotifiesWhenItsModelIsReady() {
      final Map<String, Object> running = training("active", 9, null, null);
      final Map<String, Object> ready = training("completed", 10, null, "model-7");
      topology.pipe("public.training_jobs", "t1", next(Envelopes.update("public.training_jobs",
          training("active", 8, null, null), running)));
      topology.pipe("public.training_jobs", "t1", next(Envelopes.update("public.training_jobs", running, ready)));
      topology.pipe("public.training_jobs", "t1", next(Envelopes.update("public.training_jobs", ready, ready)));

      final List<UserEvent> events = topology.userEvents.readValuesToList();

      assertThat(events).extracting(UserEvent::getType).containsExactly("training.progress",
          "training.progress", "notification", "training.progress");
      assertThat(events.get(0).getData()).isEqualTo(TrainingProgress.newBuilder().setJobId("t1")
          .setStatus("active").setStep(9).setTotalSteps(10).setProgress(90).setError(null).setModelId(null).build());
      assertThat(((TrainingProgress) events.get(1).getData()).getModelId()).isEqualTo("model-7");
      assertThat(((TrainingProgress) events.get(1).getData()).getProgress()).isEqualTo(100);
      final Notification n = notification(events.get(2));
      assertThat(n.getKind()).isEqualTo("model_ready");
      assertThat(n.getRefs()).containsOnly(Map.entry("jobId", "t1"), Map.entry("modelId", "model-7"));
      assertThat(n.getBody()).isEqualTo("Training finished after 10 steps; model model-7 is ready.");
    }

    @Test
    void aFailedTrainingCarriesItsError() {
      topology.pipe("public.training_jobs", "t2", next(Envelopes.update("public.training_jobs",
          training("active", 3, null, null), training("failed", 3, "out of memory", null))));

      assertThat(topology.userEvents.readValuesToList()).singleElement().satisfies(e ->
          assertThat(((TrainingProgress) e.getData()).getError()).isEqualTo("out of memory"));
    }

    private Map<String, Object> training(final String status, final int step, final String error,
        final String model) {
      return row("id", "t1", "user_id", ALICE, "status", status, "step", step, "total_steps", 10,
          "error", error, "model_id", model);
    }

    @Test
    void aRedeliveredChangeNotifiesOnce() {
      video(VIDEO, ALICE, true);
      final byte[] like = like(BOB, VIDEO).bytes();
      final Envelopes failed = next(Envelopes.update("public.generation_jobs",
          job("j4", "active", 50, null, null), job("j4", "failed", 50, "timeout", null)));
      for (int i = 0; i < 2; i++) {
        topology.cdc("public.likes").pipeInput(likeKey(BOB, VIDEO), like);
        topology.pipe("public.generation_jobs", "j4", failed);
      }

      assertThat(userEvents("notification")).extracting(e -> notification(e).getKind())
          .containsExactly("like", "generation_failed");
    }
  }
}
