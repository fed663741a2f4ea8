package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.TrainingProgress;
import io.tidewire.schemas.avro.UserEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopologyTest {

  private static final String USER = "7c0e3f0a-0000-4000-8000-000000000001";
  private static final String OTHER_USER = "7c0e3f0a-0000-4000-8000-000000000002";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private ProcessorConfig config;
  private TopologyTestDriver driver;
  private TestOutputTopic<String, UserEvent> userEvents;
  private TestOutputTopic<String, FeedEvent> feedEvents;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void startDriver() {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "unused:9092");
    env.put("TIDEWIRE_PROCESSOR_APP_ID", "topology-test");
    env.put("TIDEWIRE_PROCESSOR_STATE_DIR",
        Path.of(System.getProperty("java.io.tmpdir"), "topology-test").toString());
    config = ProcessorConfig.fromEnv(env);
    final Properties props = StreamsProperties.streams(config);
    driver = new TopologyTestDriver(TopologyFactory.build(config, new ProcessorMetrics(registry)), props);
    userEvents = driver.createOutputTopic(Topics.USER_EVENTS.name(),
        Topics.USER_EVENTS.keySerde().deserializer(), Topics.USER_EVENTS.valueSerde().deserializer());
    feedEvents = driver.createOutputTopic(Topics.FEED_EVENTS.name(),
        Topics.FEED_EVENTS.keySerde().deserializer(), Topics.FEED_EVENTS.valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER.name(),
        Topics.DEAD_LETTER.keySerde().deserializer(), Topics.DEAD_LETTER.valueSerde().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  private TestInputTopic<byte[], byte[]> cdc(final String table) {
    final String[] parts = table.split("\\.");
    return driver.createInputTopic(Topics.cdcName(parts[0], parts[1]),
        new ByteArraySerializer(), new ByteArraySerializer());
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
    return registry.find(name).tag(tag, value).counters().stream().mapToDouble(c -> c.count()).sum();
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

    final List<KeyValue<String, UserEvent>> events = userEvents.readKeyValuesToList();

    assertThat(events).extracting(kv -> kv.key).containsOnly(USER);
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
    assertThat(events).extracting(kv -> kv.value.getId()).doesNotHaveDuplicates();
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
    final TestInputTopic<byte[], byte[]> credits = cdc("public.credit_transactions");
    final byte[] orphan = Envelopes.insert("public.credit_transactions",
        row("id", "c1", "amount", 5, "reason", "bonus")).bytes();
    credits.pipeInput(Envelopes.idKey("c1"), orphan);
    credits.pipeInput(Envelopes.idKey("c2"), Envelopes.insert("public.credit_transactions",
        row("id", "c2", "user_id", USER, "amount", 6)).lsn(900).bytes());

    final TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.value()).isEqualTo(orphan);
    assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo(
        "missing_owner: owner column user_id is missing, null or empty in the after row of public.credit_transactions");
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
  void theSameChangeDeliveredTwiceYieldsTheSameEventId() {
    final TestInputTopic<byte[], byte[]> jobs = cdc("public.generation_jobs");
    final Envelopes change = Envelopes.update("public.generation_jobs", job("j1", "active", 10), job("j1", "active", 20))
        .lsn(4242).txId(77);
    jobs.pipeInput(Envelopes.idKey("j1"), change.bytes());
    jobs.pipeInput(Envelopes.idKey("j1"), change.bytes());
    final byte[] publicVideo = Envelopes.insert("public.videos", video("v7", true)).lsn(4343).bytes();
    cdc("public.videos").pipeInput(Envelopes.idKey("v7"), publicVideo);
    cdc("public.videos").pipeInput(Envelopes.idKey("v7"), publicVideo);

    final List<UserEvent> events = userEvents.readValuesToList();
    final List<FeedEvent> feed = feedEvents.readValuesToList();

    assertThat(events).hasSize(2);
    assertThat(events.get(0).getId()).isEqualTo(events.get(1).getId());
    assertThat(events.get(0)).isEqualTo(events.get(1));
    assertThat(feed).hasSize(2);
    assertThat(feed.get(0).getId()).isEqualTo(feed.get(1).getId());
  }

  @Test
  void aNewOwnedTableIsConfigurationNotCode() {
    driver.close();
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "unused:9092");
    env.put("TIDEWIRE_OWNED_TABLES", "shop.orders:buyer_id:order.changed");
    env.put("TIDEWIRE_FEED_TABLES", "none");
    config = ProcessorConfig.fromEnv(env);
    driver = new TopologyTestDriver(TopologyFactory.build(config), StreamsProperties.streams(config));
    final TestOutputTopic<String, UserEvent> out = driver.createOutputTopic(Topics.USER_EVENTS.name(),
        Topics.USER_EVENTS.keySerde().deserializer(), Topics.USER_EVENTS.valueSerde().deserializer());

    cdc("shop.orders").pipeInput(Envelopes.idKey("o1"), Envelopes.update("shop.orders",
        row("id", "o1", "buyer_id", "b1", "total", "10.00"), row("id", "o1", "buyer_id", "b1", "total", "12.50"))
        .bytes());

    final TestRecord<String, UserEvent> event = out.readRecord();
    assertThat(event.key()).isEqualTo("b1");
    assertThat(event.value().getType()).isEqualTo("row.orders");
    assertThat(((RowChange) event.value().getData()).getRow()).isEqualTo(
        "{\"id\":\"o1\",\"buyer_id\":\"b1\",\"total\":\"12.50\"}");
  }

  @Test
  void everyNodeIsNamedAfterItsTable() {
    final Topology topology = TopologyFactory.build(config);
    final TopologyDescription description = topology.describe();

    assertThat(description.subtopologies()).hasSize(config.inputTopics().size());
    assertThat(description.subtopologies())
        .flatExtracting(TopologyDescription.Subtopology::nodes)
        .extracting(TopologyDescription.Node::name)
        .allSatisfy(name -> assertThat(name).startsWith("public.").doesNotContain("KSTREAM-"))
        .contains("public.generation_jobs.source", "public.generation_jobs.route",
            "public.generation_jobs.user-events-sink", "public.generation_jobs.dead-letter-sink",
            "public.videos.feed-events-sink");
    assertThat(description.toString()).doesNotContain("public.generation_jobs.feed-events-sink");
  }
}
