package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Row images for Supabase's {@code postgres_changes} ({@code TIDEWIRE_PROCESSOR_ROW_CHANGES}, on by
 * default): every change of every owned, balance and credit transaction table as a
 * {@code row.<table>} user event, and changes of public rows on {@code realtime.public-changes}.
 */
class RowChangesTopologyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALICE = "a11ce000-0000-4000-8000-000000000001";
  private static final String BOB = "b0b00000-0000-4000-8000-000000000002";
  private static final String VIDEO = "0f000000-0000-4000-8000-0000000000a1";
  private static final String OTHER_VIDEO = "0f000000-0000-4000-8000-0000000000a2";

  private TestTopology topology;
  private long lsn = 50_000;

  @BeforeEach
  void start() {
    topology = TestTopology.start();
  }

  @AfterEach
  void stop() {
    topology.close();
  }

  private void restart(final String... env) {
    topology.close();
    topology = TestTopology.start(env);
  }

  // ---- inputs ----------------------------------------------------------------------------

  private Envelopes next(final Envelopes change) {
    return change.lsn(++lsn);
  }

  private void pipe(final String table, final String id, final Envelopes change) {
    topology.pipe(table, id, next(change));
  }

  private static Map<String, Object> job(final String id, final String status, final int progress) {
    return row("id", id, "user_id", ALICE, "kind", "image", "status", status, "progress", progress,
        "prompt", "a lighthouse", "error", null, "result_url", null,
        "created_at", "2026-11-27T02:30:00Z", "updated_at", "2026-11-27T02:30:01Z");
  }

  private static Map<String, Object> user(final String id, final long credits) {
    return row("id", id, "email", id + "@example.com", "display_name", "someone", "credits", credits,
        "created_at", "2026-11-27T02:30:00Z", "updated_at", "2026-11-27T02:30:00Z");
  }

  private static Map<String, Object> video(final String id, final boolean isPublic) {
    return row("id", id, "user_id", ALICE, "is_public", isPublic, "url", "https://cdn.example/" + id,
        "caption", "sunset", "created_at", "2026-11-27T02:30:00Z");
  }

  private static Map<String, Object> like(final String user, final String contentId) {
    return row("id", "like-" + user.substring(0, 4) + "-" + contentId.substring(contentId.length() - 2),
        "user_id", user, "content_type", "video", "content_id", contentId,
        "created_at", "2026-11-27T02:30:00Z");
  }

  private static Map<String, Object> comment(final String id, final String contentId, final String body) {
    return row("id", id, "user_id", BOB, "content_type", "video", "content_id", contentId, "body", body,
        "created_at", "2026-11-27T02:30:00Z");
  }

  private void pipeLike(final String user, final String contentId) {
    final Map<String, Object> like = like(user, contentId);
    pipe("public.likes", (String) like.get("id"), Envelopes.insert("public.likes", like));
  }

  private void pipeUnlike(final String user, final String contentId) {
    final Map<String, Object> like = like(user, contentId);
    pipe("public.likes", (String) like.get("id"), Envelopes.delete("public.likes", like));
  }

  // ---- outputs ---------------------------------------------------------------------------

  private List<KeyValue<String, PublicRowEvent>> publicChanges() {
    return topology.publicChanges.readKeyValuesToList();
  }

  private static RowChange data(final UserEvent event) {
    return (RowChange) event.getData();
  }

  private static JsonNode json(final String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode jsonOf(final Map<String, Object> row) {
    return JSON.valueToTree(row);
  }

  private static List<String> nodeNames(final TopologyDescription description) {
    return description.subtopologies().stream().flatMap(s -> s.nodes().stream())
        .map(TopologyDescription.Node::name).toList();
  }

  @Nested
  class UserRows {

    @Test
    void everyChangeOfAJobTableIsAlsoARowEventWithTheRowsBeforeAndAfter() {
      pipe("public.generation_jobs", "j1", Envelopes.insert("public.generation_jobs", job("j1", "waiting", 0)));
      pipe("public.generation_jobs", "j1", Envelopes.update("public.generation_jobs",
          job("j1", "waiting", 0), job("j1", "active", 40)));
      pipe("public.generation_jobs", "j1", Envelopes.delete("public.generation_jobs", job("j1", "active", 40)));

      final List<KeyValue<String, UserEvent>> rows = topology.addedRowEvents.readKeyValuesToList();
      assertThat(rows).extracting(kv -> kv.key).containsOnly(ALICE);
      assertThat(rows).extracting(kv -> kv.value.getType()).containsOnly("row.generation_jobs");
      assertThat(rows).extracting(kv -> data(kv.value).getOp()).containsExactly("insert", "update", "delete");
      assertThat(rows).extracting(kv -> data(kv.value).getTable()).containsOnly("public.generation_jobs");
      final RowChange insert = data(rows.get(0).value);
      final RowChange update = data(rows.get(1).value);
      final RowChange delete = data(rows.get(2).value);
      assertThat(json(insert.getRow())).isEqualTo(jsonOf(job("j1", "waiting", 0)));
      assertThat(insert.getOld()).isNull();
      assertThat(json(update.getRow())).isEqualTo(jsonOf(job("j1", "active", 40)));
      assertThat(json(update.getOld())).isEqualTo(jsonOf(job("j1", "waiting", 0)));
      assertThat(json(delete.getRow())).isEqualTo(jsonOf(job("j1", "active", 40)));
      assertThat(json(delete.getOld())).isEqualTo(jsonOf(job("j1", "active", 40)));
      assertThat(rows).extracting(kv -> kv.value.getSource().getTable()).containsOnly("public.generation_jobs");
      assertThat(rows).extracting(kv -> kv.value.getSource().getLsn()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theTypedEventsOfTheSameChangesAreUnchanged() {
      pipe("public.generation_jobs", "j1", Envelopes.insert("public.generation_jobs", job("j1", "waiting", 0)));
      pipe("public.generation_jobs", "j1", Envelopes.update("public.generation_jobs",
          job("j1", "waiting", 0), job("j1", "active", 40)));

      final List<UserEvent> typed = topology.userEvents.readValuesToList();
      assertThat(typed).extracting(UserEvent::getType).containsExactly("generation.progress", "generation.progress");
      final List<UserEvent> rows = topology.addedRowEvents.readValuesToList();
      assertThat(rows).hasSize(2);
      // one change, two events: their ids differ, each deterministic
      assertThat(rows).extracting(UserEvent::getId).doesNotContainAnyElementsOf(
          typed.stream().map(UserEvent::getId).toList());
    }

    @Test
    void aSnapshotReadIsASnapshotRowWithoutOldRow() {
      pipe("public.training_jobs", "t1", Envelopes.snapshot("public.training_jobs", row("id", "t1", "user_id", ALICE,
          "status", "active", "step", 1, "total_steps", 4, "error", null, "model_id", null)));

      final UserEvent event = topology.addedRowEvents.readRecord().value();
      assertThat(event.getType()).isEqualTo("row.training_jobs");
      assertThat(data(event).getOp()).isEqualTo("snapshot");
      assertThat(data(event).getOld()).isNull();
      assertThat(event.getSource().getSnapshot()).isTrue();
    }

    @Test
    void balanceAndCreditTransactionRowsGoToTheirUser() {
      pipe("public.users", ALICE, Envelopes.update("public.users", user(ALICE, 100), user(ALICE, 93)).txId(7));
      pipe("public.credit_transactions", "c1", Envelopes.insert("public.credit_transactions", row("id", "c1",
          "user_id", ALICE, "amount", -7, "reason", "video generation", "created_at", "2026-11-27T02:30:00Z"))
          .txId(7));

      final List<KeyValue<String, UserEvent>> rows = topology.addedRowEvents.readKeyValuesToList();
      assertThat(rows).extracting(kv -> kv.key).containsOnly(ALICE);
      assertThat(rows).extracting(kv -> kv.value.getType())
          .containsExactlyInAnyOrder("row.users", "row.credit_transactions");
      final RowChange balance = rows.stream().filter(kv -> kv.value.getType().equals("row.users"))
          .map(kv -> data(kv.value)).findFirst().orElseThrow();
      assertThat(json(balance.getRow()).path("credits").asLong()).isEqualTo(93);
      assertThat(json(balance.getOld()).path("credits").asLong()).isEqualTo(100);
      // the typed event still says the same once the transaction joined the balance change
      topology.advance(Duration.ofSeconds(5));
      assertThat(topology.userEvents.readValuesToList()).extracting(UserEvent::getType)
          .containsExactly("credits.updated");
    }

    @Test
    void aTableOwnedWithoutEventTypeGetsOneRowEventPerChangeNotTwo() {
      restart("TIDEWIRE_OWNED_TABLES", "public.orders:user_id,public.users:id");
      pipe("public.orders", "o1", Envelopes.insert("public.orders", row("id", "o1", "user_id", ALICE)));
      pipe("public.users", ALICE, Envelopes.update("public.users", user(ALICE, 5), user(ALICE, 6)));

      assertThat(topology.userEvents.readValuesToList()).extracting(UserEvent::getType)
          .containsExactly("row.orders", "row.users");
      assertThat(topology.addedRowEvents.isEmpty()).isTrue();
    }

    @Test
    void theSameChangeDeliveredTwiceYieldsOneRowEvent() {
      final Envelopes insert = Envelopes.insert("public.generation_jobs", job("j2", "waiting", 0)).lsn(777);
      topology.pipe("public.generation_jobs", "j2", insert);
      topology.pipe("public.generation_jobs", "j2", insert);

      assertThat(topology.addedRowEvents.readValuesToList()).hasSize(1);
      assertThat(topology.counter("tidewire.processor.events", "type", "row.generation_jobs")).isEqualTo(1);
    }

    @Test
    void anUndecodableRecordGoesToTheDeadLetterTopicAndTheNextIsStillARowEvent() {
      topology.cdc("public.users").pipeInput(Envelopes.idKey(ALICE), "{\"op\":".getBytes(StandardCharsets.UTF_8));
      pipe("public.users", ALICE, Envelopes.update("public.users", user(ALICE, 5), user(ALICE, 6)));

      final TestRecord<byte[], byte[]> dead = topology.deadLetters.readRecord();
      assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("cdc.public.users");
      assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith("not_json");
      assertThat(topology.addedRowEvents.readRecord().value().getType()).isEqualTo("row.users");
    }
  }

  @Nested
  class PublicFeedRows {

    @Test
    void aPublicRowIsPublishedOnInsertUpdateAndDelete() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      final Map<String, Object> edited = video(VIDEO, true);
      edited.put("caption", "dawn");
      pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(VIDEO, true), edited));
      pipe("public.videos", VIDEO, Envelopes.delete("public.videos", edited));

      final List<KeyValue<String, PublicRowEvent>> changes = publicChanges();
      assertThat(changes).extracting(kv -> kv.key).containsOnly("video:" + VIDEO);
      assertThat(changes).extracting(kv -> kv.value.getType()).containsOnly("row.videos");
      assertThat(changes).extracting(kv -> kv.value.getData().getOp()).containsExactly("insert", "update", "delete");
      assertThat(changes).extracting(kv -> kv.value.getData().getTable()).containsOnly("public.videos");
      assertThat(changes.get(0).value.getData().getOld()).isNull();
      assertThat(json(changes.get(1).value.getData().getRow())).isEqualTo(jsonOf(edited));
      assertThat(json(changes.get(1).value.getData().getOld())).isEqualTo(jsonOf(video(VIDEO, true)));
      assertThat(json(changes.get(2).value.getData().getRow())).isEqualTo(jsonOf(edited));
      assertThat(json(changes.get(2).value.getData().getOld())).isEqualTo(jsonOf(edited));
      assertThat(changes).extracting(kv -> kv.value.getTs()).containsOnly(1_700_000_000_000L);
      assertThat(topology.counter("tidewire.processor.events", "type", "row.videos")).isEqualTo(3);
    }

    @Test
    void aPrivateRowIsNeverPublished() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, false)));
      final Map<String, Object> edited = video(VIDEO, false);
      edited.put("caption", "secret");
      pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(VIDEO, false), edited));
      pipe("public.videos", VIDEO, Envelopes.delete("public.videos", edited));

      assertThat(publicChanges()).isEmpty();
    }

    @Test
    void goingPublicIsAnInsertAndGoingPrivateADeleteOfTheRowAsItWasPublic() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, false)));
      pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(VIDEO, false), video(VIDEO, true)));
      final Map<String, Object> hidden = video(VIDEO, false);
      hidden.put("caption", "not for you");
      pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(VIDEO, true), hidden));

      final List<KeyValue<String, PublicRowEvent>> changes = publicChanges();
      assertThat(changes).extracting(kv -> kv.value.getData().getOp()).containsExactly("insert", "delete");
      final RowChange joined = changes.get(0).value.getData();
      assertThat(json(joined.getRow())).isEqualTo(jsonOf(video(VIDEO, true)));
      assertThat(joined.getOld()).isNull();
      final RowChange left = changes.get(1).value.getData();
      // the private row is never shown: the delete carries the row as it was while public
      assertThat(json(left.getRow())).isEqualTo(jsonOf(video(VIDEO, true)));
      assertThat(json(left.getOld())).isEqualTo(jsonOf(video(VIDEO, true)));
      assertThat(left.getRow()).doesNotContain("not for you");
    }

    @Test
    void aSnapshotReadOfAPublicRowIsASnapshot() {
      pipe("public.images", "i1", Envelopes.snapshot("public.images", row("id", "i1", "user_id", ALICE,
          "is_public", true, "url", null, "created_at", null)));

      assertThat(publicChanges()).singleElement().satisfies(kv -> {
        assertThat(kv.key).isEqualTo("image:i1");
        assertThat(kv.value.getType()).isEqualTo("row.images");
        assertThat(kv.value.getData().getOp()).isEqualTo("snapshot");
        assertThat(kv.value.getSource().getSnapshot()).isTrue();
      });
    }

    @Test
    void eventIdsAreDeterministicAndARedeliveryIsPublishedOnce() {
      final Envelopes insert = Envelopes.insert("public.videos", video(VIDEO, true)).lsn(4242);
      topology.pipe("public.videos", VIDEO, insert);
      topology.pipe("public.videos", VIDEO, insert);
      final List<KeyValue<String, PublicRowEvent>> first = publicChanges();

      restart();
      topology.pipe("public.videos", VIDEO, insert);
      final List<KeyValue<String, PublicRowEvent>> again = publicChanges();

      assertThat(first).hasSize(1);
      assertThat(again).singleElement().satisfies(kv -> assertThat(kv.value.getId())
          .matches("[0-9a-f]{32}").isEqualTo(first.get(0).value.getId()));
    }

    @Test
    void aFeedRowWithoutIsPublicGoesToTheDeadLetterTopic() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", row("id", VIDEO, "user_id", ALICE)));
      pipe("public.videos", OTHER_VIDEO, Envelopes.insert("public.videos", video(OTHER_VIDEO, true)));

      final TestRecord<byte[], byte[]> dead = topology.deadLetters.readRecord();
      assertThat(header(dead, DeadLetterHeaders.REASON)).contains("is_public");
      assertThat(publicChanges()).extracting(kv -> kv.key).containsExactly("video:" + OTHER_VIDEO);
    }
  }

  @Nested
  class Reactions {

    @Test
    void reactionsToPublicContentArePublishedKeyedByTheirContent() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      publicChanges();
      pipeLike(BOB, VIDEO);
      pipe("public.comments", "c1", Envelopes.insert("public.comments", comment("c1", VIDEO, "nice")));
      pipe("public.comments", "c1", Envelopes.update("public.comments", comment("c1", VIDEO, "nice"),
          comment("c1", VIDEO, "very nice")));
      pipeUnlike(BOB, VIDEO);

      final List<KeyValue<String, PublicRowEvent>> changes = publicChanges();
      assertThat(changes).extracting(kv -> kv.key).containsOnly("video:" + VIDEO);
      assertThat(changes).extracting(kv -> kv.value.getType() + " " + kv.value.getData().getOp())
          .containsExactly("row.likes insert", "row.comments insert", "row.comments update", "row.likes delete");
      final RowChange edit = changes.get(2).value.getData();
      assertThat(edit.getTable()).isEqualTo("public.comments");
      assertThat(json(edit.getRow()).path("body").asText()).isEqualTo("very nice");
      assertThat(json(edit.getOld()).path("body").asText()).isEqualTo("nice");
      final RowChange unlike = changes.get(3).value.getData();
      assertThat(json(unlike.getRow())).isEqualTo(jsonOf(like(BOB, VIDEO)));
      assertThat(json(unlike.getOld())).isEqualTo(jsonOf(like(BOB, VIDEO)));
      assertThat(changes).extracting(kv -> kv.value.getSource().getTable())
          .containsExactly("public.likes", "public.comments", "public.comments", "public.likes");
    }

    @Test
    void reactionsToPrivateContentAreNotPublishedNotEvenOnceItBecomesPublic() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, false)));
      pipeLike(BOB, VIDEO);
      assertThat(publicChanges()).isEmpty();

      pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(VIDEO, false), video(VIDEO, true)));
      // the video joins the public set; its earlier like is not published retroactively
      assertThat(publicChanges()).extracting(kv -> kv.value.getType()).containsExactly("row.videos");

      pipeLike(ALICE, VIDEO);
      assertThat(publicChanges()).extracting(kv -> kv.value.getType() + " " + kv.value.getData().getOp())
          .containsExactly("row.likes insert");
    }

    @Test
    void reactionsStopBeingPublishedWhenTheContentBecomesPrivate() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      pipeLike(BOB, VIDEO);
      pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(VIDEO, true), video(VIDEO, false)));
      pipeUnlike(BOB, VIDEO);
      pipeLike(ALICE, VIDEO);

      assertThat(publicChanges()).extracting(kv -> kv.value.getType() + " " + kv.value.getData().getOp())
          .containsExactly("row.videos insert", "row.likes insert", "row.videos delete");
    }

    @Test
    void aReactionThatOvertookItsContentRowWaitsForIt() {
      pipeLike(BOB, VIDEO);
      pipeLike(BOB, OTHER_VIDEO);
      assertThat(publicChanges()).isEmpty();

      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      pipe("public.videos", OTHER_VIDEO, Envelopes.insert("public.videos", video(OTHER_VIDEO, false)));

      // published once the content row says it is public; the private one's never
      assertThat(publicChanges()).extracting(kv -> kv.key + " " + kv.value.getType())
          .containsExactly("video:" + VIDEO + " row.videos", "video:" + VIDEO + " row.likes");
    }

    @Test
    void aReactionWhoseContentNeverComesIsDroppedAfterTheContentWait() {
      pipeLike(BOB, VIDEO);
      topology.advance(Duration.ofMillis(ProcessorSettings.CONTENT_WAIT.defaultValue().orElseThrow().toMillis() + 2_000));
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));

      assertThat(publicChanges()).extracting(kv -> kv.value.getType()).containsExactly("row.videos");
    }

    @Test
    void reactionsToDeletedContentAreNotPublished() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      pipe("public.videos", VIDEO, Envelopes.delete("public.videos", video(VIDEO, true)));
      pipeUnlike(BOB, VIDEO);

      assertThat(publicChanges()).extracting(kv -> kv.value.getData().getOp()).containsExactly("insert", "delete");
    }

    @Test
    void aReactionMovedToOtherContentLeavesOneItemAndJoinsTheOther() {
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      pipe("public.videos", OTHER_VIDEO, Envelopes.insert("public.videos", video(OTHER_VIDEO, true)));
      pipe("public.comments", "c1", Envelopes.insert("public.comments", comment("c1", VIDEO, "hi")));
      publicChanges();

      pipe("public.comments", "c1", Envelopes.update("public.comments", comment("c1", VIDEO, "hi"),
          comment("c1", OTHER_VIDEO, "hi")));

      final List<KeyValue<String, PublicRowEvent>> changes = publicChanges();
      assertThat(changes).extracting(kv -> kv.key + " " + kv.value.getData().getOp())
          .containsExactlyInAnyOrder("video:" + VIDEO + " delete", "video:" + OTHER_VIDEO + " insert");
      assertThat(changes).extracting(kv -> kv.value.getId()).doesNotHaveDuplicates();
    }

    @Test
    void aReactionWithoutContentColumnsGoesToTheDeadLetterTopic() {
      pipe("public.likes", "l1", Envelopes.insert("public.likes", row("id", "l1", "user_id", BOB)));

      assertThat(header(topology.deadLetters.readRecord(), DeadLetterHeaders.REASON)).contains("content_type");
      assertThat(publicChanges()).isEmpty();
    }
  }

  @Nested
  class SettingOff {

    @Test
    void withRowChangesOffUserEventsAreAsBeforeAndNothingIsPublic() {
      restart("TIDEWIRE_PROCESSOR_ROW_CHANGES", "false");
      pipe("public.generation_jobs", "j1", Envelopes.insert("public.generation_jobs", job("j1", "waiting", 0)));
      pipe("public.users", ALICE, Envelopes.update("public.users", user(ALICE, 100), user(ALICE, 93)));
      pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(VIDEO, true)));
      pipeLike(BOB, VIDEO);
      topology.advance(Duration.ofSeconds(5));

      assertThat(topology.userEvents.readValuesToList()).extracting(UserEvent::getType)
          .containsExactlyInAnyOrder("generation.progress", "credits.updated", "notification");
      assertThat(topology.addedRowEvents.isEmpty()).isTrue();
      assertThat(publicChanges()).isEmpty();
      assertThat(nodeNames(TopologyFactory.build(topology.config).describe()))
          .noneMatch(name -> name.contains("public-change"))
          .doesNotContain("public.users.user-events-sink", "public.generation_jobs.user-events-sink");
    }

    @Test
    void withRowChangesOnEveryNewNodeIsNamed() {
      assertThat(nodeNames(TopologyFactory.build(topology.config).describe())).contains(
          "public.videos.public-changes-sink", "public.images.public-changes-sink", "feed.public-changes-sink",
          "public.users.user-events-sink", "public.credit_transactions.user-events-sink",
          "public.generation_jobs.user-events-sink", "public.training_jobs.user-events-sink")
          .doesNotContain("public.likes.public-changes-sink");
    }
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
