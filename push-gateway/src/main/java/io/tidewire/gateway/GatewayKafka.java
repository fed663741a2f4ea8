package io.tidewire.gateway;

import io.tidewire.schemas.Topic;
import io.tidewire.schemas.TooFewBrokersException;
import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The gateway's Kafka clients, built from its configuration (bootstrap servers and the
 * {@code TIDEWIRE_KAFKA_*} client settings first, then what each client needs): one admin client
 * for the topics and the state topic's end offsets, and consumers made to measure for the live
 * tails, the state store and the replay workers. Owns the admin client; each consumer belongs to
 * whoever asked for it.
 *
 * <p>Thread-safe.
 */
final class GatewayKafka implements AutoCloseable {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** Bounds what one replay worker's consumer prefetches. */
  private static final int REPLAY_FETCH_MAX_BYTES = 8 * 1024 * 1024;
  private static final int REPLAY_FETCH_MAX_WAIT_MS = 5;
  /**
   * The broadcast and presence tails' long poll: the broker answers a fetch as soon as a record
   * arrives, so this bounds only idle fetches (and keeps an idle gateway's fetch rate low).
   */
  private static final String CHANNEL_FETCH_MAX_WAIT_MS = "500";

  private final GatewayConfig config;
  private final Admin admin;
  private final AtomicInteger replayClients = new AtomicInteger();

  /** Creates the admin client (it connects lazily). */
  GatewayKafka(final GatewayConfig config) {
    this.config = config;
    this.admin = Admin.create(adminProperties(config));
  }

  static Properties adminProperties(final GatewayConfig config) {
    final Properties props = new Properties();
    props.putAll(config.kafka().clientProperties());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidewire-gateway-admin");
    return props;
  }

  /**
   * Makes sure the event topics and the (compacted) state topic exist, and describes them.
   *
   * @return the descriptions by topic name
   * @throws GatewayException if Kafka cannot be reached or the topics not created
   */
  Map<String, TopicDescription> ensureTopics() {
    final List<String> names = List.of(Topics.USER_EVENTS.name(), Topics.FEED_EVENTS.name(),
        Topics.PUBLIC_CHANGES.name(), Topics.USER_STATE.name(), Topics.CONTENT_ACCESS.name(),
        Topics.BROADCAST.name(), Topics.PRESENCE.name());
    try {
      // The stream processor writes the first five; whoever starts first creates them, alike.
      // The broadcast and presence topics are the gateways' own.
      final Map<String, String> broadcastConfigs = new HashMap<>(Topics.BROADCAST.configs());
      broadcastConfigs.put(TopicConfig.RETENTION_MS_CONFIG,
          Long.toString(config.channels().broadcastRetention().toMillis()));
      TopicProvisioner.ensure(admin, List.of(Topics.USER_EVENTS, Topics.FEED_EVENTS, Topics.PUBLIC_CHANGES,
          Topics.USER_STATE, Topics.CONTENT_ACCESS,
          new Topic<>(Topics.BROADCAST.name(), Topics.BROADCAST.keySerde(), Topics.BROADCAST.valueSerde(),
              broadcastConfigs), Topics.PRESENCE), config.kafka().topicPartitions(), config.kafka());
      return describe(names);
    } catch (TooFewBrokersException e) {
      throw new GatewayException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException("interrupted while describing " + names, e);
    } catch (ExecutionException | TimeoutException | IllegalStateException e) {
      throw new GatewayException("cannot prepare topics " + names + ": " + e.getMessage(), e);
    }
  }

  /** Describes the topics; a topic created a moment ago may take a while to be known everywhere. */
  private Map<String, TopicDescription> describe(final List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    final long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    long backoffMs = 50;
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 1_000);
      }
    }
  }

  /** Describes the topics now, asynchronously, within {@code timeout}. */
  CompletionStage<Map<String, TopicDescription>> describeNow(final List<String> names, final Duration timeout) {
    return admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
        .allTopicNames().toCompletionStage();
  }

  /**
   * The topic's end offsets including records of transactions still open (the high watermarks),
   * fetched now, asynchronously. A snapshot waits until the state store's read-committed tail has
   * passed them, i.e. until every transaction open at the request has ended: a transaction's commit
   * becomes visible on its partitions one after another, so the committed-only ends could still
   * hide the state record of an event the live tail has already delivered. The wait is at most one
   * processor commit (or the transaction timeout after a processor crash).
   */
  CompletionStage<Map<Integer, Long>> endOffsets(final TopicDescription topic) {
    final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (final TopicPartitionInfo partition : topic.partitions()) {
      latest.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
    }
    final ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)
        .timeoutMs((int) config.recoveryTimeout().toMillis());
    return admin.listOffsets(latest, options).all().toCompletionStage().thenApply(offsets -> {
      final Map<Integer, Long> ends = new HashMap<>();
      offsets.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
      return ends;
    });
  }

  /** A live tail's consumer for {@code topic}. */
  KafkaConsumer<byte[], byte[]> tailConsumer(final String topic) {
    return consumer("tidewire-gateway-tail-" + topic, "latest", Map.of());
  }

  /**
   * The consumer of the broadcast topic, positioned at its end by its owner; a position lost to
   * retention moves to the end too (an old message is worth nothing to anyone joined now).
   */
  KafkaConsumer<byte[], byte[]> broadcastConsumer() {
    return consumer("tidewire-gateway-" + Topics.BROADCAST.name(), "latest", Map.of(
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, CHANNEL_FETCH_MAX_WAIT_MS));
  }

  /** The consumer of the presence topic, positioned at its beginning by its owner. */
  KafkaConsumer<byte[], byte[]> presenceConsumer() {
    return consumer("tidewire-gateway-" + Topics.PRESENCE.name(), "earliest", Map.of(
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, CHANNEL_FETCH_MAX_WAIT_MS));
  }

  /**
   * The producer of broadcasts, presences and leases: every write acknowledged by all in-sync
   * replicas, idempotent (a retry does not duplicate), no lingering (latency over batching).
   */
  KafkaProducer<String, byte[]> channelProducer() {
    final Properties props = new Properties();
    props.putAll(config.kafka().clientProperties());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "tidewire-gateway-channels");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** The state store's consumer. */
  KafkaConsumer<byte[], byte[]> stateConsumer() {
    return consumer("tidewire-gateway-state", "earliest", Map.of());
  }

  /** The content-access view's consumer (read_committed, no group). */
  KafkaConsumer<byte[], byte[]> contentAccessConsumer() {
    return consumer("tidewire-gateway-content-access", "earliest", Map.of());
  }

  /**
   * A replay worker's consumer: a position deleted by retention fails rather than jumps; a short
   * fetch wait, because the consumer's prefetch for the previous job's position (often the log's
   * end) would otherwise hold up the next job's fetch for the whole wait.
   */
  KafkaConsumer<byte[], byte[]> replayConsumer() {
    return consumer("tidewire-gateway-replay-" + replayClients.incrementAndGet(), "none", Map.of(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.replayBatchRecords()),
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(REPLAY_FETCH_MAX_BYTES),
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(REPLAY_FETCH_MAX_WAIT_MS)));
  }

  private KafkaConsumer<byte[], byte[]> consumer(final String clientId, final String reset,
      final Map<String, String> more) {
    return new KafkaConsumer<>(consumerProperties(config, clientId, reset, more), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /** A consumer without group or commits that reads committed records only. */
  static Properties consumerProperties(final GatewayConfig config, final String clientId, final String reset,
      final Map<String, String> more) {
    final Properties props = new Properties();
    props.putAll(config.kafka().clientProperties());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100"); // live tails: latency vs. idle polls
    props.putAll(more);
    return props;
  }

  /** Closes the admin client. */
  @Override
  public void close() {
    admin.close(ADMIN_CLOSE_TIMEOUT);
  }
}
