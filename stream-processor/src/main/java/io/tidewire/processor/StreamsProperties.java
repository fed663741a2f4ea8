package io.tidewire.processor;

import io.tidewire.processor.internals.DeserializationDeadLetters;
import io.tidewire.processor.internals.ProcessingDeadLetters;
import io.tidewire.processor.internals.ProductionDeadLetters;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Setting;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The library boundary: turns a {@link ProcessorConfig} into Kafka Streams and admin client
 * properties. Pure; thread-safe.
 */
final class StreamsProperties {

  /** Upper bound of the poll timeout; Kafka Streams' own default. */
  static final long MAX_POLL_MS = 100;
  /** Lower bound of the poll timeout, so an idle thread does not spin. */
  static final long MIN_POLL_MS = 5;
  /** Producer linger: send while processing instead of all at commit. */
  static final String PRODUCER_LINGER_MS = "5";

  /**
   * Streams settings that {@code TIDEWIRE_KAFKA_STREAMS_*} must not set, with the reason: they
   * have their own variable, or the event contract relies on them.
   */
  static final Map<String, String> STREAMS_FIXED = Map.of(
      StreamsConfig.APPLICATION_ID_CONFIG, own(ProcessorSettings.APP_ID),
      StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, own(KafkaSettings.BOOTSTRAP),
      StreamsConfig.STATE_DIR_CONFIG, own(ProcessorSettings.STATE_DIR),
      StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, own(ProcessorSettings.COMMIT_INTERVAL),
      StreamsConfig.NUM_STREAM_THREADS_CONFIG, own(ProcessorSettings.THREADS),
      StreamsConfig.REPLICATION_FACTOR_CONFIG, own(KafkaSettings.TOPIC_REPLICATION_FACTOR),
      StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), own(KafkaSettings.TOPIC_MIN_INSYNC_REPLICAS),
      StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "it is always exactly_once_v2 (the event contract relies on it)");

  private StreamsProperties() {}

  private static String own(final Setting<?> setting) {
    return "set " + setting.name() + " instead";
  }

  /**
   * Kafka Streams settings: ours first, then the Kafka client overrides (top-level, so that they
   * reach the main, restore and global consumers, the producer and the admin client), then the
   * Streams overrides (which cannot touch the settings that have their own variable;
   * {@link ProcessorConfig} rejects that).
   */
  @SuppressWarnings("deprecation") // the global-handler switch is deprecated because 5.0 makes it the default
  static Properties streams(final ProcessorConfig config) {
    final Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.streamThreads()));
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(config.kafka().replicationFactor()));
    props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
        Short.toString(config.kafka().minInsyncReplicas()));
    // A thread checks whether a commit is due only between polls: with the default 100 ms poll a
    // lone record could wait a whole poll past the commit interval before read_committed
    // readers see its output.
    props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(pollMs(config)));
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), PRODUCER_LINGER_MS);
    // Fail the build of a topology that would auto-name a store or internal topic (KIP-1111).
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    // Kafka 5.0's default; set now so behaviour does not change on upgrade. No effect today (no
    // global stores), but without it every StreamsConfig logs a warning.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    // An internal record that does not deserialize goes to realtime.dlq instead of stopping a thread.
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeserializationDeadLetters.class);
    // An exception in any later stage (join, fold, punctuator) parks its source record the same way.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ProcessingDeadLetters.class);
    // An output Kafka can never accept (too large, unserializable) parks its source record too.
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionDeadLetters.class);
    props.putAll(config.kafka().clientProperties());
    props.putAll(config.streamsOverrides());
    return props;
  }

  /**
   * Admin client settings for topic provisioning: the Kafka client overrides, and the Streams
   * overrides that concern an admin client.
   */
  static Properties admin(final ProcessorConfig config) {
    final Properties props = new Properties();
    props.putAll(config.kafka().clientProperties());
    for (final Map.Entry<String, String> e : config.streamsOverrides().entrySet()) {
      if (AdminClientConfig.configNames().contains(e.getKey())) {
        props.put(e.getKey(), e.getValue());
      }
    }
    for (final Map.Entry<String, String> e : config.streamsOverrides().entrySet()) {
      if (e.getKey().startsWith(StreamsConfig.ADMIN_CLIENT_PREFIX)) {
        props.put(e.getKey().substring(StreamsConfig.ADMIN_CLIENT_PREFIX.length()), e.getValue());
      }
    }
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, config.applicationId() + "-provisioner");
    return props;
  }

  static long pollMs(final ProcessorConfig config) {
    return Math.max(MIN_POLL_MS, Math.min(MAX_POLL_MS, config.commitInterval().toMillis() / 4));
  }
}
