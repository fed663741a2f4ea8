package io.tidewire.capture;

import static io.tidewire.capture.CaptureFixture.json;
import static io.tidewire.capture.CaptureFixture.keyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The capture against the real embedded PostgreSQL (pgoutput) and Kafka broker. */
class CaptureServiceTest {

  private static final Logger LOG = LoggerFactory.getLogger(CaptureServiceTest.class);

  private final CaptureFixture fx = new CaptureFixture();

  @AfterEach
  void cleanUp() throws Exception {
    fx.close();
  }

  private static List<String> ops(final List<ConsumerRecord<String, String>> records) {
    return records.stream().map(r -> r.value() == null ? "tombstone" : json(r.value()).path("op").asText()).toList();
  }

  private static List<Integer> progress(final List<ConsumerRecord<String, String>> records) {
    return records.stream().map(r -> json(r.value()).path("after").path("progress").asInt()).toList();
  }

  private static ConsumerRecord<String, String> withProgress(final List<ConsumerRecord<String, String>> records,
      final int progress) {
    return records.stream().filter(r -> r.value() != null && json(r.value()).path("after").path("progress").asInt(-1)
        == progress).findFirst().orElseThrow();
  }

  private static boolean hasProgress(final ConsumerRecord<String, String> record, final int progress) {
    return record.value() != null && json(record.value()).path("after").path("progress").asInt(-1) == progress;
  }

  @Test
  void changesOfARowArriveInCommitOrderAsDebeziumEnvelopes() throws Exception {
    fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data"));
    final String userId = fx.insertUser();
    final String jobId = fx.insertJob(userId);
    fx.setProgress(jobId, 10);
    fx.setProgress(jobId, 50);
    fx.update("UPDATE generation_jobs SET progress = 100, status = 'completed', result_url = 'https://x/1.mp4'"
        + " WHERE id = ?::uuid", jobId);

    final List<ConsumerRecord<String, String>> records =
        fx.tail(fx.topic("generation_jobs")).awaitCount(keyId(jobId), 4);

    assertThat(ops(records)).containsExactly("c", "u", "u", "u");
    assertThat(progress(records)).containsExactly(0, 10, 50, 100);
    assertThat(records).extracting(ConsumerRecord::key).containsOnly("{\"id\":\"" + jobId + "\"}");
    assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
    long previousLsn = -1;
    JsonNode previousAfter = null;
    for (final ConsumerRecord<String, String> record : records) {
      final JsonNode envelope = json(record.value());
      assertThat(envelope.has("schema")).as("schemas are disabled").isFalse();
      final JsonNode source = envelope.path("source");
      assertThat(source.path("version").asText()).isEqualTo("3.6.1.Final");
      assertThat(source.path("connector").asText()).isEqualTo("postgresql");
      assertThat(source.path("name").asText()).isEqualTo(fx.id);
      assertThat(source.path("db").asText()).isEqualTo("tidewire");
      assertThat(source.path("schema").asText()).isEqualTo("public");
      assertThat(source.path("table").asText()).isEqualTo("generation_jobs");
      assertThat(source.path("snapshot").asText()).isEqualTo("false");
      assertThat(source.path("txId").isIntegralNumber()).isTrue();
      assertThat(source.path("ts_ms").isIntegralNumber()).isTrue();
      assertThat(envelope.path("ts_ms").asLong()).isGreaterThanOrEqualTo(source.path("ts_ms").asLong());
      assertThat(source.path("lsn").asLong()).isGreaterThan(previousLsn);
      previousLsn = source.path("lsn").asLong();
      if (previousAfter == null) {
        assertThat(envelope.get("before").isNull()).isTrue();
      } else {
        assertThat(envelope.path("before")).as("REPLICA IDENTITY FULL gives the whole old row").isEqualTo(previousAfter);
      }
      previousAfter = envelope.path("after");
    }
    final JsonNode last = json(records.get(3).value()).path("after");
    assertThat(last.path("id").asText()).isEqualTo(jobId);
    assertThat(last.path("user_id").asText()).isEqualTo(userId);
    assertThat(last.path("kind").asText()).isEqualTo("video");
    assertThat(last.path("status").asText()).isEqualTo("completed");
    assertThat(last.path("progress").isInt()).isTrue();
    assertThat(last.path("result_url").asText()).isEqualTo("https://x/1.mp4");
    assertThat(last.path("error").isNull()).isTrue();
    assertThat(last.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

    final List<ConsumerRecord<String, String>> users = fx.tail(fx.topic("users")).awaitCount(keyId(userId), 1);
    final JsonNode user = json(users.get(0).value()).path("after");
    assertThat(user.path("credits").isIntegralNumber()).isTrue();
    assertThat(user.path("credits").asLong()).isEqualTo(5);
  }

  @Test
  void deleteGivesADeleteEnvelopeWithTheOldRowThenATombstone() throws Exception {
    fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data"));
    final String jobId = fx.insertJob(fx.insertUser());
    fx.update("DELETE FROM generation_jobs WHERE id = ?::uuid", jobId);

    final List<ConsumerRecord<String, String>> records =
        fx.tail(fx.topic("generation_jobs")).awaitCount(keyId(jobId), 3);

    assertThat(ops(records)).containsExactly("c", "d", "tombstone");
    final JsonNode delete = json(records.get(1).value());
    assertThat(delete.path("after").isNull()).isTrue();
    assertThat(delete.path("before")).isEqualTo(json(records.get(0).value()).path("after"));
    assertThat(records.get(2).key()).isEqualTo(records.get(1).key());
    assertThat(records.get(2).partition()).isEqualTo(records.get(1).partition());
  }

  @Test
  void rowsThatExistedBeforeTheFirstStartArriveAsSnapshotReads() throws Exception {
    final String userId = fx.insertUser();
    final String jobId = fx.insertJob(userId);
    fx.setProgress(jobId, 30);

    fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "initial"));

    final List<ConsumerRecord<String, String>> records =
        fx.tail(fx.topic("generation_jobs")).awaitCount(keyId(jobId), 1);
    assertThat(ops(records)).containsExactly("r");
    final JsonNode read = json(records.get(0).value());
    assertThat(read.path("before").isNull()).isTrue();
    assertThat(read.path("after").path("progress").asInt()).isEqualTo(30);
    assertThat(read.path("source").path("snapshot").asText()).isIn("true", "first", "last");
    assertThat(ops(fx.tail(fx.topic("users")).awaitCount(keyId(userId), 1))).containsExactly("r");
  }

  @Test
  void restartResumesWhereItStoppedWithoutSnapshottingAgain() throws Exception {
    final String userId = fx.insertUser();
    final String jobId = fx.insertJob(userId);
    final Map<String, String> env = fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "initial");

    final CaptureService first = fx.startStreaming(env);
    final CaptureFixture.Tail jobs = fx.tail(fx.topic("generation_jobs"));
    jobs.awaitCount(keyId(jobId), 1);
    fx.setProgress(jobId, 10);
    jobs.awaitUpTo(keyId(jobId), r -> hasProgress(r, 10));
    first.close();
    // Kafka Connect's offset layout: key [engine name, source partition], value the source offset
    final List<ConsumerRecord<String, String>> offsets = fx.tail(fx.id + ".offsets")
        .awaitCount(r -> r.key().equals("[\"capture-" + fx.id + "\",{\"server\":\"" + fx.id + "\"}]"), 1);
    assertThat(json(offsets.get(offsets.size() - 1).value()).path("lsn").asLong())
        .isGreaterThanOrEqualTo(lsn(withProgress(jobs.awaitCount(keyId(jobId), 2), 10)));

    fx.setProgress(jobId, 20);
    final String whileDown = fx.insertJob(userId);

    fx.startStreaming(env);
    fx.setProgress(jobId, 30);
    fx.setProgress(whileDown, 5);

    final List<ConsumerRecord<String, String>> job = jobs.awaitUpTo(keyId(jobId), r -> hasProgress(r, 30));
    final List<ConsumerRecord<String, String>> other = jobs.awaitUpTo(keyId(whileDown), r -> hasProgress(r, 5));
    assertThat(ops(job)).containsExactly("r", "u", "u", "u");
    assertThat(progress(job)).containsExactly(0, 10, 20, 30);
    assertThat(ops(other)).containsExactly("c", "u");
    assertThat(lsn(withProgress(job, 20))).isLessThan(lsn(withProgress(job, 30)));
  }

  @Test
  void oversizedChangeGoesToTheDeadLetterTopicAndTheCaptureGoesOn() throws Exception {
    final String userId = fx.insertUser();
    final CaptureService capture = fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data",
        CaptureSettings.TABLES.name(), "public.comments", CaptureSettings.HEARTBEAT.name(), "0"));
    final String contentId = UUID.randomUUID().toString();
    // 2 MB of text: with REPLICA IDENTITY FULL the envelope is far above max.request.size (1 MiB)
    final String huge = fx.queryString("INSERT INTO comments (user_id, content_type, content_id, body)"
        + " VALUES (?::uuid, 'video', ?::uuid, repeat('x', 2 * 1024 * 1024)) RETURNING id::text", userId, contentId);
    final String small = fx.queryString("INSERT INTO comments (user_id, content_type, content_id, body)"
        + " VALUES (?::uuid, 'video', ?::uuid, 'after the big one') RETURNING id::text", userId, contentId);

    final List<ConsumerRecord<String, String>> comments = fx.tail(fx.topic("comments"))
        .awaitCount(keyId(small), 1);
    assertThat(comments).extracting(r -> json(r.value()).path("after").path("body").asText())
        .containsExactly("after the big one");
    final ConsumerRecord<String, String> letter = fx.tail(Topics.DEAD_LETTER.name())
        .awaitCount(keyId(huge).and(r -> fx.topic("comments").equals(header(r, DeadLetterHeaders.SOURCE_TOPIC))), 1)
        .get(0);
    final JsonNode value = json(letter.value());
    assertThat(value.path("topic").asText()).isEqualTo(fx.topic("comments"));
    assertThat(value.path("table").asText()).isEqualTo("public.comments");
    assertThat(value.path("op").asText()).isEqualTo("c");
    assertThat(value.path("key").path("id").asText()).isEqualTo(huge);
    assertThat(value.path("lsn").asLong()).isPositive();
    assertThat(value.path("sizeBytes").asLong()).isGreaterThan(2L * 1024 * 1024);
    assertThat(value.path("reason").asText()).isEqualTo("record_too_large");
    assertThat(header(letter, DeadLetterHeaders.STAGE)).isEqualTo("cdc-capture");
    assertThat(header(letter, DeadLetterHeaders.REASON)).startsWith("record_too_large: ");
    assertThat(header(letter, DeadLetterHeaders.EXCEPTION)).endsWith("RecordTooLargeException");
    assertThat(fx.registry.get("tidewire.capture.dead.letters").counter().count()).isEqualTo(1);
    assertThat(fx.registry.get("tidewire.capture.restarts").counter().count()).isZero();
    assertThat(capture.state()).isEqualTo(CaptureService.State.STREAMING);
  }

  private static String header(final ConsumerRecord<String, String> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  void publicationIsReconciledToExactlyTheCapturedTables() throws Exception {
    fx.update("CREATE PUBLICATION " + fx.id + " FOR TABLE public.users, public.likes");

    fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data",
        CaptureSettings.TABLES.name(), "public.users,public.generation_jobs,public.credit_transactions"));

    assertThat(fx.queryStrings("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?",
        fx.id)).containsExactlyInAnyOrder("public.users", "public.generation_jobs", "public.credit_transactions");
  }

  @Test
  void heartbeatsGoToTheHeartbeatTopicTheCaptureCreated() throws Exception {
    final CaptureService service = fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data",
        CaptureSettings.HEARTBEAT.name(), "100"));

    final List<ConsumerRecord<String, String>> heartbeats =
        fx.tail(service.config().heartbeatTopic()).awaitCount(r -> true, 2);

    assertThat(service.config().heartbeatTopic()).isEqualTo("__debezium-heartbeat." + fx.id);
    assertThat(json(heartbeats.get(0).value()).path("ts_ms").isIntegralNumber()).isTrue();
    assertThat(service.isHealthy()).isTrue();
  }

  @Test
  void closeStopsEveryThreadOfTheCaptureAndIsIdempotent() throws Exception {
    final Set<Thread> before = Thread.getAllStackTraces().keySet();
    final CaptureService service = fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data"));
    assertThat(service.isHealthy()).isTrue();
    assertThat(service.isStreaming()).isTrue();
    assertThat(fx.registry.get("tidewire.capture.streaming").gauge().value()).isEqualTo(1);

    service.close();
    service.close();

    assertThat(service.isHealthy()).isFalse();
    assertThat(service.isStreaming()).isFalse();
    assertThat(service.failure()).isEmpty();
    assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class);
    await().atMost(CaptureFixture.WAIT).untilAsserted(() -> {
      final List<String> leftovers = new ArrayList<>();
      for (final Thread thread : Thread.getAllStackTraces().keySet()) {
        if (thread != Thread.currentThread() && thread.isAlive() && !before.contains(thread)
            && startedByCapture(thread.getName())) {
          leftovers.add(thread.getName() + (thread.isDaemon() ? " (daemon)" : ""));
        }
      }
      assertThat(leftovers).as("threads started by the capture that outlived close()").isEmpty();
    });
  }

  @Test
  void startFailsClearlyWhenACapturedTableDoesNotExist() {
    final CaptureService service = new CaptureService(CaptureConfig.fromEnv(
        fx.env(CaptureSettings.TABLES.name(), "public.users,public.no_such_table")), fx.registry);

    assertThatThrownBy(service::start).isInstanceOf(CaptureException.class)
        .hasMessageContaining("captured tables do not exist")
        .hasMessageContaining("public.no_such_table")
        .hasMessageNotContaining("public.users");
    assertThat(service.isHealthy()).isFalse();
    service.close();
  }

  @Test
  void startFailsInsteadOfRetryingForeverWhenKafkaClientSettingsAreInvalid() {
    // the admin client refuses a default.api.timeout.ms below its request.timeout.ms
    final CaptureService service = new CaptureService(CaptureConfig.fromEnv(
        fx.env("TIDEWIRE_KAFKA_DEFAULT_API_TIMEOUT_MS", "1000", "TIDEWIRE_KAFKA_REQUEST_TIMEOUT_MS", "5000")),
        fx.registry);

    assertThatThrownBy(service::start).isInstanceOf(CaptureException.class)
        .hasMessageContaining("invalid Kafka client settings");
    assertThat(service.state()).isEqualTo(CaptureService.State.CLOSED);
    assertThat(fx.registry.get("tidewire.capture.restarts").counter().count()).isZero();
  }

  @Test
  void measuresCommitToKafkaLatencyOfStreamedChanges() throws Exception {
    fx.startStreaming(fx.env(CaptureSettings.SNAPSHOT_MODE.name(), "no_data", CaptureSettings.TABLES.name(),
        "public.generation_jobs"));
    final String jobId = fx.insertJob(fx.insertUser());
    final CaptureFixture.Tail jobs = fx.tail(fx.topic("generation_jobs"));
    jobs.awaitCount(keyId(jobId), 1);

    final int updates = 40;
    final List<Long> commitToConsumerMicros = new ArrayList<>();
    for (int i = 1; i <= updates; i++) {
      final int progress = i;
      fx.setProgress(jobId, progress);
      final long committed = System.nanoTime();
      jobs.awaitUpTo(keyId(jobId), r -> hasProgress(r, progress));
      commitToConsumerMicros.add((System.nanoTime() - committed) / 1000);
    }

    final var timer = fx.registry.get("tidewire.capture.commit.to.ack").timer();
    // the consumer may see the last record before the producer's ack callback has timed it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(timer.count()).as("every streamed change is timed").isEqualTo(updates + 1));
    final List<Long> sorted = commitToConsumerMicros.stream().sorted().collect(Collectors.toList());
    LOG.info(
        "Latency over {} single-row commits: commit->consumer p50={} ms p90={} ms max={} ms;"
            + " source commit->Kafka ack (timer) mean={} ms max={} ms",
        updates, sorted.get(updates / 2) / 1000.0, sorted.get(updates * 9 / 10) / 1000.0,
        sorted.get(updates - 1) / 1000.0,
        Math.round(timer.mean(TimeUnit.MICROSECONDS)) / 1000.0,
        Math.round(timer.max(TimeUnit.MICROSECONDS)) / 1000.0);
  }

  /**
   * The capture's threads carry its name or prefix (engine, Debezium, Kafka clients whose client
   * ids derive from the name); Kafka clients and anonymous executors are caught by their generic
   * names too (Debezium's own offsets admin client is "debezium-servershared-admin"). Broker
   * threads that start lazily on first use (e.g. "executor-Fetch") are not the capture's.
   */
  private boolean startedByCapture(final String threadName) {
    return threadName.contains(fx.id) || threadName.startsWith("kafka-") || threadName.startsWith("pool-")
        || threadName.toLowerCase(Locale.ROOT).contains("debezium");
  }

  private static long lsn(final ConsumerRecord<String, String> record) {
    return json(record.value()).path("source").path("lsn").asLong();
  }
}
