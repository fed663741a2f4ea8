package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.Notification;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Whole rows from real PostgreSQL changes through the real capture and processor
 * ({@code TIDEWIRE_PROCESSOR_ROW_CHANGES}, on by default): {@code row.<table>} events on
 * realtime.user-events and public row changes on realtime.public-changes, read from Kafka as a
 * consumer (and the gateway's Supabase endpoint) reads them.
 */
class RowChangesIT {

  private static final SharedStack STACK = SharedStack.get();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void everyChangeOfAUsersRowsIsARowEventWithTheRowBeforeAndAfter() throws Exception {
    final UUID user = STACK.newUser();
    final UUID job = UUID.randomUUID();
    STACK.sql("INSERT INTO generation_jobs (id, user_id, kind, prompt) VALUES (?, ?, 'image', 'a kite')", job, user);
    STACK.sql("UPDATE generation_jobs SET status = 'active', progress = 40 WHERE id = ?", job);
    STACK.sql("DELETE FROM generation_jobs WHERE id = ?", job);
    STACK.sql("WITH spent AS (INSERT INTO credit_transactions (user_id, amount, reason) "
        + "VALUES (?, -7, 'image generation')) UPDATE users SET credits = credits - 7 WHERE id = ?", user, user);

    final List<UserEvent> events = await().atMost(WAIT).until(() -> userEvents(user),
        all -> rows(all, "row.generation_jobs").size() == 3 && rows(all, "row.users").size() == 2
            && rows(all, "row.credit_transactions").size() == 1
            && all.stream().anyMatch(e -> e.getType().equals("credits.updated")));

    final List<RowChange> jobRows = rows(events, "row.generation_jobs");
    assertThat(jobRows).extracting(RowChange::getOp).containsExactly("insert", "update", "delete");
    assertThat(jobRows).extracting(RowChange::getTable).containsOnly("public.generation_jobs");
    assertThat(json(jobRows.get(0).getRow()).path("prompt").asText()).isEqualTo("a kite");
    assertThat(jobRows.get(0).getOld()).isNull();
    assertThat(json(jobRows.get(1).getOld()).path("progress").asInt()).isZero();
    assertThat(json(jobRows.get(1).getRow()).path("progress").asInt()).isEqualTo(40);
    assertThat(json(jobRows.get(2).getRow()).path("status").asText()).isEqualTo("active");
    assertThat(json(jobRows.get(2).getOld()).path("id").asText()).isEqualTo(job.toString());
    // the typed events of the same changes are still there
    assertThat(events).filteredOn(e -> e.getType().equals("generation.progress")).hasSize(2);

    // the user's own row: inserted with its starting balance, then the balance change
    final List<RowChange> userRows = rows(events, "row.users");
    assertThat(userRows).extracting(RowChange::getOp).containsExactly("insert", "update");
    assertThat(json(userRows.get(0).getRow()).path("credits").asLong()).isEqualTo(100);
    final RowChange balance = userRows.get(1);
    assertThat(json(balance.getOld()).path("credits").asLong()).isEqualTo(100);
    assertThat(json(balance.getRow()).path("credits").asLong()).isEqualTo(93);
    final RowChange spent = rows(events, "row.credit_transactions").get(0);
    assertThat(spent.getOp()).isEqualTo("insert");
    assertThat(json(spent.getRow()).path("amount").asLong()).isEqualTo(-7);
  }

  @Test
  void publicRowsAndReactionsToPublicContentArePublishedKeyedByTheItem() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID bob = STACK.newUser();
    final UUID carol = STACK.newUser();
    final UUID dave = STACK.newUser();
    final UUID video = UUID.randomUUID();
    final String key = "video:" + video;

    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, false, 'draft')", video, alice);
    like(bob, video);
    // Alice's notification shows the processor has seen Bob's like while the video was private
    awaitLikeNotification(alice, bob);

    STACK.sql("UPDATE videos SET is_public = true, caption = 'sunset' WHERE id = ?", video);
    awaitPublic(key, e -> e.getType().equals("row.videos"));
    like(carol, video);
    awaitPublic(key, e -> e.getType().equals("row.likes"));
    STACK.sql("INSERT INTO comments (user_id, content_type, content_id, body) VALUES (?, 'video', ?, 'nice')",
        bob, video);
    STACK.sql("UPDATE comments SET body = 'very nice' WHERE content_id = ?", video);
    awaitPublic(key, e -> e.getType().equals("row.comments") && e.getData().getOp().equals("update"));

    STACK.sql("UPDATE videos SET is_public = false, caption = 'not for you' WHERE id = ?", video);
    awaitPublic(key, e -> e.getData().getOp().equals("delete"));
    like(dave, video);
    awaitLikeNotification(alice, dave);

    final List<PublicRowEvent> events = publicChanges(key);
    assertThat(events).extracting(e -> e.getType() + " " + e.getData().getOp()).containsExactly(
        "row.videos insert", "row.likes insert", "row.comments insert", "row.comments update",
        "row.videos delete");
    assertThat(json(events.get(0).getData().getRow()).path("caption").asText()).isEqualTo("sunset");
    assertThat(events.get(0).getData().getOld()).isNull();
    assertThat(json(events.get(1).getData().getRow()).path("user_id").asText()).isEqualTo(carol.toString());
    assertThat(json(events.get(3).getData().getOld()).path("body").asText()).isEqualTo("nice");
    assertThat(json(events.get(3).getData().getRow()).path("body").asText()).isEqualTo("very nice");
    // the video left the public set: the delete shows it as it was while public
    assertThat(json(events.get(4).getData().getRow()).path("caption").asText()).isEqualTo("sunset");
    assertThat(events).extracting(PublicRowEvent::getId).doesNotHaveDuplicates();
    // Bob's like while the video was private and Dave's after it became private again: not public
    assertThat(events).filteredOn(e -> e.getType().equals("row.likes"))
        .extracting(e -> json(e.getData().getRow()).path("user_id").asText()).containsExactly(carol.toString());
    assertThat(events).map(e -> e.getData().getRow() + e.getData().getOld())
        .noneMatch(text -> text.contains(dave.toString()) || text.contains("not for you"));
  }

  private static void like(final UUID user, final UUID video) throws Exception {
    STACK.sql("INSERT INTO likes (user_id, content_type, content_id) VALUES (?, 'video', ?)", user, video);
  }

  private static void awaitLikeNotification(final UUID owner, final UUID actor) {
    await().atMost(WAIT).until(() -> userEvents(owner).stream().anyMatch(e -> e.getData() instanceof Notification n
        && actor.toString().equals(n.getRefs().get("actorId"))));
  }

  private static void awaitPublic(final String key, final Predicate<PublicRowEvent> wanted) {
    await().atMost(WAIT).until(() -> publicChanges(key).stream().anyMatch(wanted));
  }

  private static List<RowChange> rows(final List<UserEvent> events, final String type) {
    return events.stream().filter(e -> e.getType().equals(type)).map(e -> (RowChange) e.getData()).toList();
  }

  private static JsonNode json(final String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<UserEvent> userEvents(final UUID user) {
    return CommittedRecords.of(STACK.kafkaBootstrap(), Topics.USER_EVENTS, user.toString());
  }

  private static List<PublicRowEvent> publicChanges(final String key) {
    return CommittedRecords.of(STACK.kafkaBootstrap(), Topics.PUBLIC_CHANGES, key);
  }
}
