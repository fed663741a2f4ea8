package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.infra.SharedInfra;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import io.tidewire.settings.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the processor against the shared embedded Kafka broker. */
class ProcessorAppTest {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessorAppTest.class);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static ProcessorConfig config(final String suffix, final String ownedTables) {
    return config(suffix, ownedTables, Map.of());
  }

  private static ProcessorConfig config(final String suffix, final String ownedTables,
      final Map<String, String> more) {
    final Map<String, String> env = new HashMap<>(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", SharedInfra.get().kafka().bootstrapServers(),
        "TIDEWIRE_PROCESSOR_APP_ID", "processor-app-test-" + suffix,
        "TIDEWIRE_PROCESSOR_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "streams-" + suffix).toString(),
        "TIDEWIRE_OWNED_TABLES", ownedTables,
        "TIDEWIRE_FEED_TABLES", "none",
        "TIDEWIRE_CREDITS_BALANCE_TABLE", "none",
        "TIDEWIRE_PROCESSOR_SHUTDOWN_TIMEOUT_MS", "20000"));
    env.putAll(KafkaSettings.singleBroker());
    env.putAll(more);
    return ProcessorConfig.fromEnv(env);
  }

  private static <V> KafkaConsumer<byte[], V> readCommitted(final String topic, final Deserializer<V> values) {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.get().kafka().bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    final KafkaConsumer<byte[], V> consumer = new KafkaConsumer<>(props,
        Topics.DEAD_LETTER.keySerde().deserializer(), values);
    final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.get().kafka().bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(final KafkaProducer<byte[], byte[]> producer, final String topic, final byte[] key,
      final byte[] value) throws InterruptedException, ExecutionException {
    producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  private static void awaitEvents(final KafkaConsumer<byte[], UserEvent> consumer, final String user,
      final List<UserEvent> events, final int count) {
    await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).untilAsserted(() -> {
      for (final ConsumerRecord<byte[], UserEvent> record : consumer.poll(Duration.ofMillis(20))) {
        // the job's progress events; its row.generation_jobs events are RowChangesTopologyTest's
        if (user.equals(new String(record.key(), StandardCharsets.UTF_8))
            && record.value().getType().equals("generation.progress")) {
          events.add(record.value());
        }
      }
      assertThat(events).hasSize(count);
    });
  }

  private static String header(final ConsumerRecord<?, ?> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static List<String> liveNonDaemonThreads(final String marker) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon() && t.getName().contains(marker))
        .map(Thread::getName).collect(Collectors.toList());
  }

  @Test
  void deliversUserEventsAndStatesCommittedAndParksPoisonAndUnreadableRecordsWhileRunning() throws Exception {
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String schema = "it_" + suffix;
    final String topic = Topics.cdcName(schema, "generation_jobs");
    final String user = "user-" + suffix;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ProcessorConfig config = config(suffix, schema + ".generation_jobs:user_id:generation.progress");
    final ProcessorApp app = new ProcessorApp(config, registry);
    try (app;
         KafkaProducer<byte[], byte[]> producer = producer()) {
      app.start();
      assertThat(app.awaitRunning(PATIENCE)).isTrue();
      assertThat(app.isHealthy()).isTrue();

      final byte[] poison = "not json".getBytes(StandardCharsets.UTF_8);
      final byte[] unreadable = {(byte) 0xD9, (byte) 0xD9, (byte) 0xF7, 0x01};
      final String userStateRepartition =
          config.applicationId() + "-" + schema + ".generation_jobs.user-state-by-user-repartition";
      final long sentAt = System.nanoTime();
      send(producer, topic, Envelopes.idKey("j1"), poison);
      send(producer, topic, Envelopes.idKey("j1"), Envelopes.insert(schema + ".generation_jobs",
          row("id", "j1", "user_id", user, "kind", "video", "status", "waiting", "progress", 0)).lsn(10).bytes());
      send(producer, topic, Envelopes.idKey("j1"), Envelopes.update(schema + ".generation_jobs",
          row("id", "j1", "user_id", user, "kind", "video", "status", "waiting", "progress", 0),
          row("id", "j1", "user_id", user, "kind", "video", "status", "active", "progress", 30)).lsn(20).bytes());

      final List<UserEvent> events = new ArrayList<>();
      try (KafkaConsumer<byte[], UserEvent> consumer =
               readCommitted(Topics.USER_EVENTS.name(), Topics.USER_EVENTS.valueSerde().deserializer())) {
        awaitEvents(consumer, user, events, 2);
        LOG.info("First events visible to a read_committed reader {} ms after the first send",
            (System.nanoTime() - sentAt) / 1_000_000);
        // A record of an internal topic that does not read is parked, and the fold goes on.
        send(producer, userStateRepartition, user.getBytes(StandardCharsets.UTF_8), unreadable);
        // Steady state: the transaction, the assignment and the reader are all warm now.
        final long updateAt = System.nanoTime();
        send(producer, topic, Envelopes.idKey("j1"), Envelopes.update(schema + ".generation_jobs",
            row("id", "j1", "user_id", user, "kind", "video", "status", "active", "progress", 30),
            row("id", "j1", "user_id", user, "kind", "video", "status", "active", "progress", 60)).lsn(30).bytes());
        awaitEvents(consumer, user, events, 3);
        LOG.info("A later update visible to a read_committed reader {} ms after its send",
            (System.nanoTime() - updateAt) / 1_000_000);
      }
      assertThat(events).extracting(e -> ((GenerationProgress) e.getData()).getProgress()).containsExactly(0, 30, 60);
      assertThat(events).extracting(UserEvent::getUserId).containsOnly(user);

      final List<UserState> states = new ArrayList<>();
      try (KafkaConsumer<byte[], UserState> consumer =
               readCommitted(Topics.USER_STATE.name(), Topics.USER_STATE.valueSerde().deserializer())) {
        await().atMost(PATIENCE).pollDelay(Duration.ZERO).untilAsserted(() -> {
          for (final ConsumerRecord<byte[], UserState> record : consumer.poll(Duration.ofMillis(20))) {
            if (user.equals(new String(record.key(), StandardCharsets.UTF_8))) {
              states.add(record.value());
            }
          }
          assertThat(states).isNotEmpty();
          assertThat(states.get(states.size() - 1).getActiveJobs()).singleElement()
              .satisfies(job -> assertThat(job.getProgress()).isEqualTo(60));
        });
      }
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          SharedInfra.get().kafka().bootstrapServers()))) {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.USER_STATE.name());
        assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
            .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
      }

      final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer =
               readCommitted(Topics.DEAD_LETTER.name(), Topics.DEAD_LETTER.valueSerde().deserializer())) {
        await().atMost(PATIENCE).pollDelay(Duration.ZERO).untilAsserted(() -> {
          for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            if (List.of(topic, userStateRepartition).contains(header(record, DeadLetterHeaders.SOURCE_TOPIC))) {
              dead.add(record);
            }
          }
          assertThat(dead).hasSize(2);
        });
      }
      assertThat(dead).extracting(ConsumerRecord::value).containsExactlyInAnyOrder(poison, unreadable);
      assertThat(dead).extracting(record -> header(record, DeadLetterHeaders.REASON).split(":")[0])
          .containsExactlyInAnyOrder("not_json", "unreadable");
      assertThat(app.isHealthy()).isTrue();
      // every table's failures are registered at zero; the ones that moved are these
      assertThat(registry.get("tidewire.processor.dead.letters").counters())
          .filteredOn(counter -> counter.count() > 0)
          .extracting(counter -> counter.getId().getTag("failure"), counter -> counter.count())
          .containsExactlyInAnyOrder(tuple("not_json", 1.0), tuple("unreadable", 1.0));
      assertThat(registry.get("tidewire.processor.events").tag("type", "generation.progress").counter().count())
          .isEqualTo(3);
      assertThat(registry.getMeters()).anySatisfy(m -> assertThat(m.getId().getName()).startsWith("kafka.stream"));
    }

    assertThat(app.isHealthy()).isFalse();
    app.close();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(liveNonDaemonThreads(config.applicationId())).isEmpty());
  }

  @Test
  void aLoneChangeIsCommittedAtOnceNotAtTheNextCommitInterval() throws Exception {
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String schema = "quiet_" + suffix;
    final String user = "user-" + suffix;
    // A commit interval of a minute: the thread's first interval commit is a minute after its
    // start, so an event visible sooner was committed because its change asked for it (at most
    // once per interval: so the change takes the one-hop path, as the capture sends it).
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ProcessorConfig config = config(suffix, schema + ".generation_jobs:user_id:generation.progress", Map.of(
        "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS", "60000",
        "TIDEWIRE_PROCESSOR_QUIET_COMMIT_MS", "2",
        "TIDEWIRE_KAFKA_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS", "120000"));
    try (ProcessorApp app = new ProcessorApp(config, registry);
         KafkaProducer<byte[], byte[]> producer = producer()) {
      app.start();
      assertThat(app.awaitRunning(PATIENCE)).isTrue();
      final long startedAt = System.nanoTime();
      // in its owner's partition, as the capture sends it: one hop (one transaction) to the event
      producer.send(new ProducerRecord<>(Topics.cdcName(schema, "generation_jobs"),
          Topics.partitionOf(user, config.topicPartitions()), Envelopes.idKey("j1"),
          Envelopes.insert(schema + ".generation_jobs",
              row("id", "j1", "user_id", user, "kind", "image", "status", "waiting", "progress", 0)).lsn(10).bytes()))
          .get();

      // the processor created the topic at its start
      try (KafkaConsumer<byte[], UserEvent> consumer =
               readCommitted(Topics.USER_EVENTS.name(), Topics.USER_EVENTS.valueSerde().deserializer())) {
        awaitEvents(consumer, user, new ArrayList<>(), 1);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isLessThan(config.commitInterval());
      assertThat(registry.get("tidewire.processor.quiet.commits").counter().count()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void aFailureKafkaStreamsCannotRecoverFromReachesTheFatalListenerSoTheProcessExitsNonZero() throws Exception {
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String schema = "fatal_" + suffix;
    // no thread replacements, so that the first death is fatal (five take minutes of rebalances)
    final ProcessorApp app = new ProcessorApp(config(suffix, schema + ".generation_jobs:user_id:generation.progress"),
        new SimpleMeterRegistry(), 0);
    final AtomicReference<Throwable> fatal = new AtomicReference<>();
    app.onFatalError(fatal::set);
    try (app; Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        SharedInfra.get().kafka().bootstrapServers()))) {
      app.start();
      assertThat(app.awaitRunning(PATIENCE)).isTrue();

      // a source topic vanishing kills every stream thread that is started in its place
      admin.deleteTopics(List.of(Topics.cdcName(schema, "generation_jobs"))).all().get();

      await().atMost(PATIENCE).dontCatchUncaughtExceptions().until(() -> fatal.get() != null);
      assertThat(fatal.get()).isInstanceOf(ProcessorException.class).hasMessageContaining("stopped in ERROR");
      assertThat(app.isHealthy()).isFalse();
    }
  }

  @Test
  void closeBeforeStartIsANoOpAndStartAfterCloseIsRefused() {
    final ProcessorApp app = new ProcessorApp(ProcessorConfig.fromEnv(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:1")), new SimpleMeterRegistry());

    app.close();
    app.close();

    assertThat(app.isHealthy()).isFalse();
    assertThat(app.awaitRunning(Duration.ofMillis(10))).isFalse();
    assertThatThrownBy(app::start).isInstanceOf(ProcessorException.class).hasMessage("the processor is closed");
  }
}
