package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.ActiveJob;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import io.tidewire.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resuming as a client sees it, against the real Kafka of embedded-infra: replay after missed
 * events, a reconnect storm, snapshots for cursors that cannot be replayed (another topic
 * incarnation, retention) and for a fresh subscribe that asks for one, garbage cursors, the feed. Events and states are produced straight to
 * the topics, as the stream processor would.
 */
class GatewayRecoveryTest {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRecoveryTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Gateway gateway;
  private static PrometheusMeterRegistry registry;
  private static KafkaProducer<String, UserEvent> users;
  private static KafkaProducer<String, FeedEvent> feed;
  private static KafkaProducer<String, UserState> states;
  private static Admin admin;
  private static int port;

  @BeforeAll
  static void start() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    gateway = new Gateway(TestKit.config(Map.of(
        "TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES", "1000",
        "TIDEWIRE_GATEWAY_RECOVERY_TIMEOUT_SECONDS", "20")), registry);
    gateway.start();
    port = gateway.port();
    users = TestKit.producer(Topics.USER_EVENTS.valueSerde().serializer());
    feed = TestKit.producer(Topics.FEED_EVENTS.valueSerde().serializer());
    states = TestKit.producer(Topics.USER_STATE.valueSerde().serializer());
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKit.bootstrap()));
  }

  @AfterAll
  static void stop() {
    TestKit.closeAll(users, feed, states, admin, gateway);
  }

  private static String newUser() {
    return TestKit.newUser();
  }

  /** Writes events {@code prefix-from} … {@code prefix-(to-1)} of {@code user} and waits for the acks. */
  private static void produce(final String user, final String prefix, final int from, final int to) {
    for (int i = from; i < to; i++) {
      users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), user, Events.progress(user, prefix + "-" + i, i % 101)));
    }
    users.flush();
  }

  private static List<String> ids(final String prefix, final int from, final int to) {
    return IntStream.range(from, to).mapToObj(i -> prefix + "-" + i).toList();
  }

  /** Subscribes to the user channel (with a cursor, if given) and returns the client. */
  private static WsClient subscribe(final String user, final String channel, final String cursor) {
    final WsClient client = WsClient.connect(port, Tokens.valid(user));
    client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"" + channel + "\""
        + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}");
    return client;
  }

  /** The cursor a fresh subscription starts at (the live end of the user's partition). */
  private static String currentCursor(final String user, final String channel) {
    try (WsClient client = subscribe(user, channel, null)) {
      return client.reply("s").get("cursor").textValue();
    }
  }

  private static List<String> eventIds(final WsClient client) {
    return client.events().stream().map(e -> e.get("id").textValue()).toList();
  }

  private static void assertCursorsIncrease(final List<JsonNode> events) {
    long previous = -1;
    for (final JsonNode event : events) {
      final Cursor cursor = TestKit.CURSORS.decode(event.get("cursor").textValue());
      final long offset = cursor.offsets().values().iterator().next();
      assertThat(offset).isGreaterThan(previous);
      previous = offset;
    }
  }

  private static UserState state(final String user, final long balance) {
    return jobState(user, balance, "job-1", 64);
  }

  private static UserState jobState(final String user, final long balance, final String jobId,
      final int progress) {
    return UserState.newBuilder().setUserId(user).setBalance(balance).setUpdatedAt(1_700_000_000_000L)
        .setActiveJobs(List.of(ActiveJob.newBuilder().setJobId(jobId).setKind("generation")
            .setGenerationKind("image").setStatus("active").setProgress(progress).setStep(null)
            .setTotalSteps(null).setUpdatedAt(1_700_000_000_000L).build()))
        .build();
  }

  @Test
  void resumesWithoutGapAfterReconnect() {
    final String user = newUser();
    final String cursor;
    try (WsClient first = subscribe(user, "user", null)) {
      first.reply("s");
      produce(user, "seen", 0, 5);
      await().atMost(WAIT).until(() -> first.events().size() == 5);
      cursor = first.events().get(4).get("cursor").textValue(); // the last event it handled
    }
    produce(user, "missed", 0, 1_000);

    try (WsClient resumed = subscribe(user, "user", cursor)) {
      // more events while the replay runs: they must come exactly once, after the missed ones
      final CompletableFuture<Void> during = CompletableFuture.runAsync(() -> produce(user, "during", 0, 200));
      await().atMost(WAIT).until(() -> resumed.events().size() >= 1_200);
      during.join();
      produce(user, "after", 0, 3);
      await().atMost(WAIT).until(() -> resumed.events().size() >= 1_203);

      final JsonNode reply = resumed.reply("s");
      assertThat(reply.get("recovered").booleanValue()).isTrue();
      assertThat(reply.get("cursor").textValue()).isEqualTo(cursor);
      final List<String> expected = new ArrayList<>(ids("missed", 0, 1_000));
      expected.addAll(ids("during", 0, 200));
      expected.addAll(ids("after", 0, 3));
      assertThat(eventIds(resumed)).containsExactlyElementsOf(expected);
      assertCursorsIncrease(resumed.events());
      assertThat(resumed.frames().indexOf(reply)).isZero(); // the reply comes before any event
    }
  }

  @Test
  void fiftyConcurrentResumesAllCompleteWhileALiveClientKeepsReceiving() {
    final int clients = 50;
    final int missed = 40;
    final List<String> people = IntStream.range(0, clients).mapToObj(i -> newUser()).toList();
    final Map<String, String> cursors = new HashMap<>();
    for (final String person : people) {
      cursors.put(person, currentCursor(person, "user"));
    }
    for (final String person : people) {
      for (int i = 0; i < missed; i++) {
        users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), person, Events.progress(person, "m-" + i, i)));
      }
    }
    users.flush();
    final String watcher = newUser();
    final double liveBefore = registry.get("tidewire.gateway.replays").tag("outcome", "live").counter().count();

    try (WsClient live = subscribe(watcher, "user", null)) {
      live.reply("s");
      final List<WsClient> storm = new ArrayList<>();
      try {
        for (final String person : people) { // the whole storm subscribes at once
          storm.add(subscribe(person, "user", cursors.get(person)));
        }
        produce(watcher, "live", 0, 20); // the live client is served during the storm

        await().atMost(WAIT).until(() -> live.events().size() >= 20
            && storm.stream().allMatch(c -> c.events().size() >= missed));

        assertThat(eventIds(live)).containsExactlyElementsOf(ids("live", 0, 20));
        for (final WsClient client : storm) {
          assertThat(client.reply("s").get("recovered").booleanValue()).isTrue();
          assertThat(eventIds(client)).containsExactlyElementsOf(ids("m", 0, missed));
        }
        assertThat(registry.get("tidewire.gateway.replays").tag("outcome", "live").counter().count())
            .isGreaterThanOrEqualTo(liveBefore + clients);
      } finally {
        storm.forEach(WsClient::close);
      }
    }
  }

  @Test
  void cursorOfAnotherTopicIncarnationGetsRecoveredFalseAndASnapshotBeforeLiveEvents() throws Exception {
    final String user = newUser();
    states.send(new ProducerRecord<>(Topics.USER_STATE.name(), user, state(user, 42))).get();
    final Cursor stale = Cursor.of(Uuid.randomUuid(), Cursor.scopeOf(user), Topics.partitionOf(user, 3), 17);

    try (WsClient client = subscribe(user, "user", TestKit.CURSORS.encode(stale))) {
      final JsonNode snapshot = client.awaitFrame(f -> "snapshot".equals(f.path("op").textValue()));
      produce(user, "live", 0, 2);
      await().atMost(WAIT).until(() -> client.events().size() == 2);

      final JsonNode reply = client.frames().get(0);
      assertThat(reply.get("op").textValue()).isEqualTo("subscribed");
      assertThat(reply.get("recovered").booleanValue()).isFalse();
      assertThat(client.frames().get(1)).isEqualTo(snapshot);
      assertThat(snapshot.get("cursor").textValue()).isEqualTo(reply.get("cursor").textValue());
      assertThat(snapshot.get("data").get("balance").longValue()).isEqualTo(42);
      assertThat(snapshot.get("data").get("activeJobs").get(0).get("progress").intValue()).isEqualTo(64);
      assertThat(eventIds(client)).containsExactly("live-0", "live-1");
      assertThat(TestKit.CURSORS.decode(reply.get("cursor").textValue()).epoch()).isNotEqualTo(stale.epoch());
    }
  }

  @Test
  void freshSubscribeAskingForTheStateGetsTheCommittedStateThenOnlyTheEventsCommittedAfter()
      throws Exception {
    final String user = newUser();
    try (KafkaProducer<String, byte[]> processor = processor();
         WsClient witness = subscribe(user, "user", null)) {
      witness.reply("s");
      // as the stream processor writes them: each event with the state it leads to, in one transaction
      commit(processor, user, Events.progress(user, "before", 40), jobState(user, 42, "job-before", 40));
      // the rule is about the live tail's position L, not the clock: wait until the tail is past it
      witness.awaitFrame(f -> "before".equals(f.path("id").textValue()));
      final double unrecoverable = registry.get("tidewire.gateway.unrecoverable.cursors").counters()
          .stream().mapToDouble(c -> c.count()).sum();

      try (WsClient client = WsClient.connect(port, Tokens.valid(user))) {
        client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\",\"snapshot\":true}");
        final JsonNode snapshot = client.awaitFrame(f -> "snapshot".equals(f.path("op").textValue()));
        commit(processor, user, Events.progress(user, "after", 80), jobState(user, 42, "job-after", 80));
        await().atMost(WAIT).until(() -> eventIds(client).contains("after"));

        final JsonNode reply = client.frames().get(0);
        assertThat(reply.get("op").textValue()).isEqualTo("subscribed");
        assertThat(reply.get("ref").textValue()).isEqualTo("s");
        assertThat(reply.get("recovered").booleanValue()).isFalse();
        assertThat(client.frames().get(1)).isEqualTo(snapshot);
        assertThat(snapshot.get("cursor").textValue()).isEqualTo(reply.get("cursor").textValue());
        assertThat(snapshot.get("data").get("balance").longValue()).isEqualTo(42);
        assertThat(snapshot.get("data").get("activeJobs").get(0).get("jobId").textValue())
            .isEqualTo("job-before");
        assertThat(snapshot.get("data").get("activeJobs").get(0).get("progress").intValue()).isEqualTo(40);
        // below the snapshot's cursor: in the state, not sent again; at or after it: sent once, live
        assertThat(eventIds(client)).containsExactly("after");
        assertCursorsIncrease(List.of(reply, client.events().get(0)));
        assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").counters().stream()
            .mapToDouble(c -> c.count()).sum()).isEqualTo(unrecoverable); // nothing was resumed
      }
    }
  }

  @Test
  void snapshotOnTheFeedIsABadRequestAndTheConnectionStays() {
    try (WsClient client = WsClient.connect(port, Tokens.valid(newUser()))) {
      client.send("{\"op\":\"subscribe\",\"ref\":\"f\",\"channel\":\"feed\",\"snapshot\":true}");
      final JsonNode error = client.reply("f");
      client.send("{\"op\":\"ping\",\"ref\":\"p\"}");

      assertThat(error.get("op").textValue()).isEqualTo("error");
      assertThat(error.get("code").textValue()).isEqualTo("bad_request");
      assertThat(error.get("message").textValue()).contains("only available on the user channel");
      assertThat(client.reply("p").get("op").textValue()).isEqualTo("pong");
    }
  }

  /** A transactional producer of raw records, like the stream processor's. */
  private static KafkaProducer<String, byte[]> processor() {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKit.bootstrap());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "gateway-recovery-test-" + UUID.randomUUID());
    final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
        new ByteArraySerializer());
    producer.initTransactions();
    return producer;
  }

  /** Commits {@code event} and the {@code state} it leads to in one transaction. */
  private static void commit(final KafkaProducer<String, byte[]> producer, final String user,
      final UserEvent event, final UserState state) {
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), user,
        Topics.USER_EVENTS.valueSerde().serializer().serialize(Topics.USER_EVENTS.name(), event)));
    producer.send(new ProducerRecord<>(Topics.USER_STATE.name(), user,
        Topics.USER_STATE.valueSerde().serializer().serialize(Topics.USER_STATE.name(), state)));
    producer.commitTransaction();
  }

  @Test
  void cursorOlderThanRetentionGetsRecoveredFalseAndASnapshot() throws Exception {
    final String user = newUser();
    final String cursor;
    try (WsClient first = subscribe(user, "user", null)) {
      cursor = first.reply("s").get("cursor").textValue();
      produce(user, "seen", 0, 3);
      await().atMost(WAIT).until(() -> first.events().size() == 3);
    }
    produce(user, "lost", 0, 5);
    states.send(new ProducerRecord<>(Topics.USER_STATE.name(), user, state(user, 7))).get();
    // retention: everything of the user's partition up to now is deleted
    final TopicPartition partition = new TopicPartition(Topics.USER_EVENTS.name(), Topics.partitionOf(user, 3));
    final long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
        .get(10, TimeUnit.SECONDS).offset();
    admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(end))).all().get(10, TimeUnit.SECONDS);
    final double before = registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "retention")
        .counter().count();

    try (WsClient resumed = subscribe(user, "user", cursor)) {
      final JsonNode snapshot = resumed.awaitFrame(f -> "snapshot".equals(f.path("op").textValue()));
      produce(user, "live", 0, 1);
      await().atMost(WAIT).until(() -> resumed.events().size() == 1);

      assertThat(resumed.frames().get(0).get("recovered").booleanValue()).isFalse();
      assertThat(resumed.frames().get(1)).isEqualTo(snapshot);
      assertThat(snapshot.get("data").get("balance").longValue()).isEqualTo(7);
      assertThat(eventIds(resumed)).containsExactly("live-0"); // nothing deleted is pretended
      assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "retention")
          .counter().count()).isEqualTo(before + 1);
    }
  }

  @Test
  void garbageCursorIsRejectedWithTheRefAndNoSubscription() {
    final String user = newUser();
    try (WsClient garbage = subscribe(user, "user", "v2.not-a-cursor");
         WsClient control = subscribe(user, "user", null)) {
      final JsonNode error = garbage.reply("s");
      control.reply("s");

      produce(user, "after", 0, 1);
      control.awaitFrame(f -> "after-0".equals(f.path("id").textValue()));

      assertThat(error.get("op").textValue()).isEqualTo("error");
      assertThat(error.get("code").textValue()).isEqualTo("bad_request");
      assertThat(garbage.events()).isEmpty(); // the same dispatch reached the control session
      assertThat(garbage.frames()).noneSatisfy(f -> assertThat(f.path("op").textValue()).isEqualTo("subscribed"));
    }
  }

  @Test
  void feedResumesEveryPartitionFromItsCursor() throws Exception {
    final String cursor = currentCursor(newUser(), "feed");
    assertThat(TestKit.CURSORS.decode(cursor).offsets()).hasSize(3);
    final Set<String> published = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      final String contentId = UUID.randomUUID().toString();
      published.add("feed-" + contentId);
      feed.send(new ProducerRecord<>(Topics.FEED_EVENTS.name(), "video:" + contentId, Events.published(contentId)));
    }
    feed.flush();

    try (WsClient resumed = subscribe(newUser(), "feed", cursor)) {
      await().atMost(WAIT).until(() -> resumed.events().size() >= 30);

      assertThat(resumed.reply("s").get("recovered").booleanValue()).isTrue();
      assertThat(eventIds(resumed)).hasSize(30).containsExactlyInAnyOrderElementsOf(published);
      // resuming from the last event's cursor misses nothing and repeats nothing
      final String last = resumed.events().get(29).get("cursor").textValue();
      assertThat(TestKit.CURSORS.decode(last).offsets()).hasSize(3);
      try (WsClient again = subscribe(newUser(), "feed", last)) {
        assertThat(again.reply("s").get("recovered").booleanValue()).isTrue();
        assertThat(again.answersPing("p")).isTrue();
        assertThat(again.events()).isEmpty();
      }
    }
  }

  @Test
  void catchesUpTenThousandMissedEvents() {
    final String user = newUser();
    final String cursor = currentCursor(user, "user");
    produce(user, "m", 0, 10_000);

    try (WsClient resumed = WsClient.connect(port, Tokens.valid(user))) {
      final long start = System.nanoTime();
      resumed.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\",\"cursor\":\"" + cursor + "\"}");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
          .until(() -> resumed.events().size() >= 10_000);
      final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      LOG.info("MEASURED: 10000 missed events caught up in {} ms (subscribe sent to last event "
          + "parsed by the client); the gateway's replay took {} ms (subscribe to live)", millis,
          (long) registry.get("tidewire.gateway.replay.duration").timer().max(TimeUnit.MILLISECONDS));

      assertThat(eventIds(resumed)).containsExactlyElementsOf(ids("m", 0, 10_000));
    }
  }
}
