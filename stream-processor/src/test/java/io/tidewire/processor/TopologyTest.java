package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.processor.internals.EnvelopeDecoder;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.TrainingProgress;
import io.tidewire.schemas.avro.UserEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopologyTest {

  private static final String USER = "7c0e3f0a-0000-4000-8000-000000000001";
  private static final String OTHER_USER = "7c0e3f0a-0000-4000-8000-000000000002";

  private TestTopology topology;
  private UserEventsView userEvents;
  private TestOutputTopic<String, FeedEvent> feedEvents;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void startDriver() {
    restart();
  }

  @AfterEach
  void closeDriver() {
    topology.close();
  }

  private void restart(final String... env) {
    if (topology != null) {
      topology.close();
    }
    topology = TestTopology.start(env);
    userEvents = topology.userEvents;
    feedEvents = topology.feedEvents;
    deadLetters = topology.deadLetters;
  }

  private TestInputTopic<byte[], byte[]> cdc(final String table) {
    return topology.cdc(table);
  }

  private static Map<String, Object> job(final String id, final String status, final int progress) {
    return row("id", id, "user_id", USER, "kind", "image", "status", status, "progress", progress,
        "prompt", "a lighthouse", "error", null, "result_url",
        status.equals("completed") ? "https://cdn.example/" + id + ".png" : null,
        "created_at", "2026-11-27T02:30:00.123456Z", "updated_at", "2026-11-27T02:30:01Z");
  }

  private static Map<String, Object> video(final String id, final boolean isPublic) {
    return row("id", id, "user_id", USER, "is_public", isPublic, "url", "https://cdn.example/" + id + ".mp4",
        "caption", "sunset", "created_at", "2026-11-27T02:30:00.5Z");
  }

  private static String header(final Headers headers, final String name) {
    final Header header = headers.lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private double counter(final String name, final String tag, final String value) {
    return topology.counter(name, tag, value);
  }

  @Test
  void generationProgressArrivesKeyedByOwnerInCommitOrder() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    final byte[] key = Envelopes.idKey("j1");
    jobs.pipeInput(key, Envelopes.insert("public.generation_jobs", job("j1", "waiting", 0)).lsn(100).bytes());
    jobs.pipeInput(key, Envelopes.update("public.generation_jobs", job("j1", "waiting", 0), job("j1", "active", 40))
        .lsn(200).bytes());
    jobs.pipeInput(key, Envelopes.update("public.generation_jobs", job("j1", "active", 40), job("j1", "completed", 100))
        .lsn(300).tsMs(1_700_000_009_000L).bytes());

    final List<KeyValue<String, UserEvent>> all = userEvents.readKeyValuesToList();
    final List<KeyValue<String, UserEvent>> events = all.stream()
        .filter(kv -> kv.value.getType().equals("generation.progress")).toList();

    assertThat(all).extracting(kv -> kv.key).containsOnly(USER);
    assertThat(all).extracting(kv -> kv.value.getType()).containsExactly("generation.progress",
        "generation.progress", "generation.progress", "notification");
    assertThat(events).extracting(kv -> ((GenerationProgress) kv.value.getData()).getStatus())
        .containsExactly("waiting", "active", "completed");
    assertThat(events).extracting(kv -> ((GenerationProgress) kv.value.getData()).getProgress())
        .containsExactly(0, 40, 100);
    final UserEvent last = events.get(2).value;
    assertThat(last.getUserId()).isEqualTo(USER);
    assertThat(last.getType()).isEqualTo("generation.progress");
    assertThat(last.getTs()).isEqualTo(1_700_000_009_000L);
    assertThat(last.getSource().getTable()).isEqualTo("public.generation_jobs");
    assertThat(last.getSource().getLsn()).isEqualTo(300L);
    assertThat(((GenerationProgress) last.getData()).getResultUrl()).isEqualTo("https://cdn.example/j1.png");
    assertThat(all).extracting(kv -> kv.value.getId()).doesNotHaveDuplicates();
    assertThat(counter("tidewire.processor.events", "type", "generation.progress")).isEqualTo(3);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void trainingProgressIsDerivedFromSteps() {
    cdc("public.training_jobs").pipeInput(Envelopes.idKey("t1"), Envelopes.update("public.training_jobs",
        row("id", "t1", "user_id", USER, "status", "active", "step", 100, "total_steps", 400),
        row("id", "t1", "user_id", USER, "status", "active", "step", 250, "total_steps", 400,
            "error", null, "model_id", null)).bytes());

    final TestRecord<String, UserEvent> event = userEvents.readRecord();

    assertThat(event.key()).isEqualTo(USER);
    assertThat(event.value().getType()).isEqualTo("training.progress");
    assertThat(((TrainingProgress) event.value().getData()).getProgress()).isEqualTo(62);
  }

  @Test
  void aGenericOwnedTableProducesRowEvents() {
    restart("TIDEWIRE_OWNED_TABLES", "public.credit_transactions:user_id");
    cdc("public.credit_transactions").pipeInput(Envelopes.idKey("c1"), Envelopes.insert(
        "public.credit_transactions", row("id", "c1", "user_id", OTHER_USER, "amount", 500, "reason", "top-up",
            "created_at", "2026-11-27T02:30:00Z")).bytes());

    final TestRecord<String, UserEvent> event = userEvents.readRecord();

    assertThat(event.key()).isEqualTo(OTHER_USER);
    assertThat(event.value().getType()).isEqualTo("row.credit_transactions");
    final RowChange change = (RowChange) event.value().getData();
    assertThat(change.getOp()).isEqualTo("insert");
    assertThat(change.getTable()).isEqualTo("public.credit_transactions");
    assertThat(change.getRow()).contains("\"amount\":500", "\"reason\":\"top-up\"");
  }

  @Test
  void publicContentIsPublishedOnInsertAndOnUpdateFromPrivateToPublic() {
    final TestInputTopic<byte[], byte[]> videos = cdc("public.videos");
    videos.pipeInput(Envelopes.idKey("v1"), Envelopes.insert("public.videos", video("v1", true)).bytes());
    videos.pipeInput(Envelopes.idKey("v2"), Envelopes.insert("public.videos", video("v2", false)).lsn(400).bytes());
    videos.pipeInput(Envelopes.idKey("v2"),
        Envelopes.update("public.videos", video("v2", false), video("v2", true)).lsn(500).bytes());
    cdc("public.images").pipeInput(Envelopes.idKey("i1"),
        Envelopes.snapshot("public.images", row("id", "i1", "user_id", USER, "is_public", true)).bytes());

    final List<KeyValue<String, FeedEvent>> events = feedEvents.readKeyValuesToList();

    assertThat(events).extracting(kv -> kv.key).containsExactly("video:v1", "video:v2", "image:i1");
    assertThat(events).extracting(kv -> kv.value.getType()).containsOnly("feed.content_published");
    final ContentPublished first = (ContentPublished) events.get(0).value.getData();
    assertThat(first.getUserId()).isEqualTo(USER);
    assertThat(first.getUrl()).isEqualTo("https://cdn.example/v1.mp4");
    assertThat(first.getCaption()).isEqualTo("sunset");
    assertThat(first.getCreatedAt()).isEqualTo(1_795_746_600_500L);
    assertThat(events.get(2).value.getSource().getSnapshot()).isTrue();
    assertThat(userEvents.isEmpty()).as("videos are not user-owned by default").isTrue();
  }

  @Test
  void privateContentIsNotPublished() {
    final TestInputTopic<byte[], byte[]> videos = cdc("public.videos");
    videos.pipeInput(Envelopes.idKey("v3"), Envelopes.insert("public.videos", video("v3", false)).bytes());
    videos.pipeInput(Envelopes.idKey("v3"),
        Envelopes.update("public.videos", video("v3", false), video("v3", false)).lsn(999).bytes());

    assertThat(feedEvents.isEmpty()).isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void tombstonesAreSkippedWithoutDeadLettering() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    jobs.pipeInput(Envelopes.idKey("j1"), Envelopes.delete("public.generation_jobs", job("j1", "completed", 100)).bytes());
    jobs.pipeInput(Envelopes.idKey("j1"), (byte[]) null);

    assertThat(userEvents.isEmpty()).as("generation job deletes yield no event").isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(counter("tidewire.processor.tombstones", "table", "public.generation_jobs")).isEqualTo(1);
  }

  @Test
  void poisonRecordGoesToDeadLetterTopicAndTheNextRecordIsStillProcessed() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    final byte[] key = Envelopes.idKey("j9");
    final byte[] poison = "not json".getBytes(StandardCharsets.UTF_8);
    jobs.pipeInput(key, poison);
    jobs.pipeInput(key, Envelopes.insert("public.generation_jobs", job("j9", "waiting", 0)).bytes());

    final TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo(key);
    assertThat(dead.value()).isEqualTo(poison);
    assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).startsWith("not_json: value is not JSON");
    assertThat(header(dead.headers(), DeadLetterHeaders.EXCEPTION))
        .isEqualTo("com.fasterxml.jackson.core.JsonParseException");
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("cdc.public.generation_jobs");
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead.headers(), DeadLetterHeaders.STAGE)).isEqualTo("stream-processor");
    assertThat(userEvents.readRecord().value().getType()).isEqualTo("generation.progress");
    assertThat(counter("tidewire.processor.dead.letters", "failure", "not_json")).isEqualTo(1);
  }

  @Test
  void aRecordWithoutOwnerGoesToDeadLetterTopicAndTheNextRecordIsStillProcessed() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    final byte[] orphan = Envelopes.insert("public.generation_jobs",
        row("id", "j1", "kind", "image", "status", "waiting")).bytes();
    jobs.pipeInput(Envelopes.idKey("j1"), orphan);
    jobs.pipeInput(Envelopes.idKey("j2"), Envelopes.insert("public.generation_jobs", job("j2", "waiting", 0))
        .lsn(900).bytes());

    final TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.value()).isEqualTo(orphan);
    assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo(
        "missing_owner: owner column user_id is missing, null or empty in the after row of public.generation_jobs");
    assertThat(header(dead.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(userEvents.readKeyValue()).satisfies(kv -> assertThat(kv.key).isEqualTo(USER));
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void deadLettersKeepTheOriginalHeaders() {
    final TestRecord<byte[], byte[]> input = new TestRecord<>(Envelopes.idKey("j1"), "{".getBytes(StandardCharsets.UTF_8));
    input.headers().add("traceparent", "00-abc-01".getBytes(StandardCharsets.UTF_8));
    cdc("public.generation_jobs").pipeInput(input);

    final Headers headers = deadLetters.readRecord().headers();
    assertThat(header(headers, "traceparent")).isEqualTo("00-abc-01");
    assertThat(header(headers, DeadLetterHeaders.STAGE)).isEqualTo("stream-processor");
  }

  @Test
  void eventsCarryNoCaptureHeaders() {
    final TestRecord<byte[], byte[]> input = new TestRecord<>(Envelopes.idKey("j1"),
        Envelopes.insert("public.generation_jobs", job("j1", "waiting", 0)).bytes());
    input.headers().add("debezium", "x".getBytes(StandardCharsets.UTF_8));
    cdc("public.generation_jobs").pipeInput(input);

    assertThat(userEvents.readRecord().headers().toArray()).isEmpty();
  }

  @Test
  void theSameChangeDeliveredTwiceYieldsOneEvent() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    final Envelopes change = Envelopes.update("public.generation_jobs", job("j1", "active", 10), job("j1", "active", 20))
        .lsn(4242).txId(77);
    jobs.pipeInput(Envelopes.idKey("j1"), change.bytes());
    // a capture redelivery: re-captured, so the envelope's own ts_ms moves; the source does not
    jobs.pipeInput(Envelopes.idKey("j1"), change.bytes());
    final byte[] publicVideo = Envelopes.insert("public.videos", video("v7", true)).lsn(4343).bytes();
    cdc("public.videos").pipeInput(Envelopes.idKey("v7"), publicVideo);
    cdc("public.videos").pipeInput(Envelopes.idKey("v7"), publicVideo);

    assertThat(userEvents.readValuesToList()).singleElement()
        .satisfies(e -> assertThat(((GenerationProgress) e.getData()).getProgress()).isEqualTo(20));
    assertThat(feedEvents.readValuesToList()).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("feed.content_published"));
    assertThat(counter("tidewire.processor.duplicates", "table", "public.generation_jobs")).isEqualTo(1);
    assertThat(counter("tidewire.processor.duplicates", "table", "public.videos")).isEqualTo(1);
  }

  @Test
  void theDeduplicationStoreForgetsChangesOlderThanItsWindowOfCommitTime() {
    restart("TIDEWIRE_PROCESSOR_DEDUP_WINDOW_MS", "60000");
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    final byte[] old = Envelopes.insert("public.generation_jobs", job("j1", "waiting", 0))
        .lsn(100).tsMs(1_700_000_000_000L).bytes();
    jobs.pipeInput(Envelopes.idKey("j1"), old);
    jobs.pipeInput(Envelopes.idKey("j1"), old);
    assertThat(userEvents.readValuesToList()).hasSize(1);

    // two minutes of commits later the first change is out of the window: the store is bounded
    jobs.pipeInput(Envelopes.idKey("j2"), Envelopes.insert("public.generation_jobs", job("j2", "waiting", 0))
        .lsn(200).tsMs(1_700_000_120_000L).bytes());
    jobs.pipeInput(Envelopes.idKey("j1"), old);

    assertThat(userEvents.readValuesToList()).hasSize(2);
    assertThat(topology.driver.<String, Long>getWindowStore("public.generation_jobs.dedup")
        .fetch(EnvelopeDecoder.decode(TableId.parse("public.generation_jobs"), Envelopes.idKey("j1"), old)
            .changeId(), 1_700_000_000_000L))
        .as("an expired change is not even stored again").isNull();
  }

  @Test
  void aLaterChangeOfTheSameRowIsNotADuplicate() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    jobs.pipeInput(Envelopes.idKey("j1"), Envelopes.update("public.generation_jobs", job("j1", "active", 10),
        job("j1", "active", 20)).lsn(5000).bytes());
    jobs.pipeInput(Envelopes.idKey("j1"), Envelopes.update("public.generation_jobs", job("j1", "active", 20),
        job("j1", "active", 20)).lsn(5001).bytes());

    assertThat(userEvents.readValuesToList()).hasSize(2);
  }

  @Test
  void aNewOwnedTableIsConfigurationNotCode() {
    restart("TIDEWIRE_OWNED_TABLES", "shop.orders:buyer_id:order.changed", "TIDEWIRE_FEED_TABLES", "none",
        "TIDEWIRE_CREDITS_BALANCE_TABLE", "none");

    cdc("shop.orders").pipeInput(Envelopes.idKey("o1"), Envelopes.update("shop.orders",
        row("id", "o1", "buyer_id", "b1", "total", "10.00"), row("id", "o1", "buyer_id", "b1", "total", "12.50"))
        .bytes());

    final TestRecord<String, UserEvent> event = userEvents.readRecord();
    assertThat(event.key()).isEqualTo("b1");
    assertThat(event.value().getType()).isEqualTo("row.orders");
    assertThat(((RowChange) event.value().getData()).getRow()).isEqualTo(
        "{\"id\":\"o1\",\"buyer_id\":\"b1\",\"total\":\"12.50\"}");
    assertThat(topology.config.inputTopics()).containsExactly("cdc.shop.orders");
  }

  @Test
  void everyNodeAndStoreIsNamed() {
    final TopologyDescription description = TopologyFactory.build(topology.config).describe();

    // per table, except the four read by the credits join + user-state fold's task (one hop; events
    // and state commit together), then that task, then the feed
    assertThat(description.subtopologies()).hasSize(topology.config.inputTopics().size() - 4 + 2);
    assertThat(description.subtopologies())
        .flatExtracting(TopologyDescription.Subtopology::nodes)
        .extracting(TopologyDescription.Node::name)
        .allSatisfy(name -> assertThat(name).matches("(public\\.|credits\\.|feed\\.|user\\.).*").doesNotContain("KSTREAM-"))
        .contains("public.generation_jobs.source", "public.generation_jobs.route",
            "public.generation_jobs.user-state-by-user-repartition-sink", "public.generation_jobs.dead-letter-sink",
            "public.generation_jobs.user-state-input.placement", "public.generation_jobs.user-state-input.direct",
            "public.generation_jobs.user-state-input.elsewhere", "public.users.credits-input.placement",
            "public.videos.feed-events-sink", "public.users.credits-by-user-repartition-sink",
            "public.likes.by-content-repartition-sink", "credits.join", "credits.user-state-input",
            "feed.content-state", "feed.user-events-sink", "feed.feed-events-sink",
            "public.users.user-state-by-user-repartition-sink", "user.fold", "user.user-events-sink",
            "user.state-sink");
    assertThat(description.toString())
        .doesNotContain("public.generation_jobs.feed-events-sink")
        .contains("stores: [public.generation_jobs.dedup]", "stores: [credits.pending]", "stores: [user.state]")
        .doesNotContain("KSTREAM-", "KTABLE-");
  }
}
