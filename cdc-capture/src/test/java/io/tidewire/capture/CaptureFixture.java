package io.tidewire.capture;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.infra.SharedInfra;
import io.tidewire.settings.KafkaSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * One isolated capture setup per test on the shared PostgreSQL and Kafka: its own slot,
 * publication, engine name, offsets topic and topic prefix (hence its own change topics), so
 * tests never see each other's records or offsets. {@link #close()} closes the services and
 * consumers it made and drops the slot and publication (an abandoned slot pins WAL).
 */
final class CaptureFixture implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper();

  final String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  final SharedInfra infra = SharedInfra.get();
  final DataSource db = infra.postgres().dataSource();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<CaptureService> services = new ArrayList<>();
  private final List<Tail> tails = new ArrayList<>();

  /** Environment for this test's capture; extra pairs override or add variables. */
  Map<String, String> env(final String... keyValues) {
    final Map<String, String> env = new HashMap<>();
    env.put(KafkaSettings.BOOTSTRAP.name(), infra.kafka().bootstrapServers());
    env.putAll(KafkaSettings.singleBroker());
    env.put(CaptureSettings.PG_HOST.name(), infra.postgres().host());
    env.put(CaptureSettings.PG_PORT.name(), Integer.toString(infra.postgres().port()));
    env.put(CaptureSettings.PG_DATABASE.name(), infra.postgres().database());
    env.put(CaptureSettings.PG_USER.name(), infra.postgres().user());
    env.put(CaptureSettings.PG_PASSWORD.name(), infra.postgres().password());
    env.put(CaptureSettings.TABLES.name(), "public.users,public.generation_jobs");
    env.put(CaptureSettings.SLOT_NAME.name(), id);
    env.put(CaptureSettings.PUBLICATION_NAME.name(), id);
    env.put(CaptureSettings.NAME.name(), "capture-" + id);
    env.put(CaptureSettings.OFFSETS_TOPIC.name(), id + ".offsets");
    env.put(CaptureSettings.TOPIC_PREFIX.name(), id);
    env.put(CaptureSettings.SHUTDOWN_TIMEOUT.name(), "20000");
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  /** A started service, tracked for cleanup. */
  CaptureService start(final Map<String, String> env) {
    final CaptureService service = new CaptureService(CaptureConfig.fromEnv(env), registry);
    services.add(service);
    service.start();
    return service;
  }

  /** A started service that streams. */
  CaptureService startStreaming(final Map<String, String> env) throws InterruptedException {
    final CaptureService service = start(env);
    if (!service.awaitStreaming(WAIT)) {
      throw new AssertionError("capture " + id + " did not start streaming within " + WAIT);
    }
    return service;
  }

  String topic(final String table) {
    return id + ".public." + table;
  }

  /** Reads a topic from the beginning. */
  Tail tail(final String topic) {
    final Tail tail = new Tail(infra.kafka().bootstrapServers(), topic);
    tails.add(tail);
    return tail;
  }

  String insertUser() throws SQLException {
    return queryString("INSERT INTO users (email, display_name, credits) VALUES (?, 'Ada', 5) RETURNING id::text",
        UUID.randomUUID() + "@example.com");
  }

  String insertJob(final String userId) throws SQLException {
    return queryString("INSERT INTO generation_jobs (user_id, kind, prompt) VALUES (?::uuid, 'video', 'a cat')"
        + " RETURNING id::text", userId);
  }

  void setProgress(final String jobId, final int progress) throws SQLException {
    update("UPDATE generation_jobs SET progress = ?, status = 'active', updated_at = now() WHERE id = ?::uuid",
        progress, jobId);
  }

  void update(final String sql, final Object... params) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  String queryString(final String sql, final Object... params) throws SQLException {
    final List<String> rows = queryStrings(sql, params);
    if (rows.size() != 1) {
      throw new AssertionError("expected one row from " + sql + ", got " + rows);
    }
    return rows.get(0);
  }

  List<String> queryStrings(final String sql, final Object... params) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      final List<String> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
      return rows;
    }
  }

  static JsonNode json(final String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** Key filter for records of one row: {@code {"id":"<id>"}}. */
  static Predicate<ConsumerRecord<String, String>> keyId(final String rowId) {
    return r -> r.key() != null && rowId.equals(json(r.key()).path("id").asText());
  }

  @Override
  public void close() throws SQLException {
    for (final CaptureService service : services) {
      service.close();
    }
    for (final Tail tail : tails) {
      tail.close();
    }
    // the walsender lingers briefly after the engine disconnects
    await().atMost(WAIT).until(() -> queryStrings(
        "SELECT slot_name FROM pg_replication_slots WHERE slot_name = ? AND active", id).isEmpty());
    if (!queryStrings("SELECT slot_name FROM pg_replication_slots WHERE slot_name = ?", id).isEmpty()) {
      queryString("SELECT pg_drop_replication_slot(?)::text", id);
    }
    update("DROP PUBLICATION IF EXISTS " + id);
  }

  /** Accumulates every record of one topic, from the beginning, in partition order. */
  static final class Tail implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    Tail(final String bootstrap, final String topic) {
      consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
          new StringDeserializer(), new StringDeserializer());
      final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** Waits until at least {@code count} records match, then returns every match seen so far. */
    List<ConsumerRecord<String, String>> awaitCount(final Predicate<ConsumerRecord<String, String>> filter, final int count) {
      Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
          .until(() -> matching(filter, true).size() >= count);
      return matching(filter, false);
    }

    /** Waits until a record matches {@code last}, then returns every match of {@code filter} seen so far. */
    List<ConsumerRecord<String, String>> awaitUpTo(final Predicate<ConsumerRecord<String, String>> filter,
        final Predicate<ConsumerRecord<String, String>> last) {
      Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
          .until(() -> matching(filter.and(last), true).size() >= 1);
      return matching(filter, false);
    }

    private List<ConsumerRecord<String, String>> matching(final Predicate<ConsumerRecord<String, String>> filter,
        final boolean poll) {
      if (poll) {
        consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
      }
      return seen.stream().filter(filter).toList();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
