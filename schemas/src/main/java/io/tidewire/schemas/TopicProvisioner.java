package io.tidewire.schemas;

import io.tidewire.settings.KafkaSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics that do not exist yet, with the configs of the catalogue; leaves existing ones
 * untouched. Every part calls it at start for the topics it reads or writes, so the start order of
 * the processes does not matter. The parts size new topics with their shared Kafka settings
 * ({@code TIDEWIRE_TOPIC_PARTITIONS}, {@code TIDEWIRE_TOPIC_REPLICATION_FACTOR} and
 * {@code TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS}, see {@link KafkaSettings}).
 *
 * <p>It is also the start check of replication: a cluster with fewer brokers than the replication
 * factor fails with {@link TooFewBrokersException}; an existing topic with fewer replicas or a
 * lower {@code min.insync.replicas} than configured is logged as a warning (and not altered).
 */
public final class TopicProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;

  private TopicProvisioner() {}

  /**
   * Checks the broker count, ensures each topic exists (one that does not is created with its
   * {@link Topic#configs()} and the configured {@code min.insync.replicas}) and warns about
   * existing ones replicated less than configured.
   *
   * @param admin an open admin client
   * @param topics the topics, from {@link Topics}
   * @param partitions partition count for topics that are created
   * @param kafka replication factor and {@code min.insync.replicas} for topics that are created
   * @throws TooFewBrokersException if the cluster has fewer brokers than the replication factor
   * @throws IllegalStateException if Kafka cannot be reached or a topic not created
   */
  public static void ensure(final Admin admin, final Collection<? extends Topic<?, ?>> topics,
      final int partitions, final KafkaSettings kafka) {
    try {
      final int brokers = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
      if (brokers < kafka.replicationFactor()) {
        throw new TooFewBrokersException(kafka.tooFewBrokers(brokers));
      }
      final Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      final List<NewTopic> missing = new ArrayList<>();
      final List<String> present = new ArrayList<>();
      for (final Topic<?, ?> topic : topics) {
        if (existing.contains(topic.name())) {
          present.add(topic.name());
        } else {
          final Map<String, String> configs = new HashMap<>();
          configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Short.toString(kafka.minInsyncReplicas()));
          configs.putAll(topic.configs());
          missing.add(new NewTopic(topic.name(), partitions, kafka.replicationFactor()).configs(configs));
        }
      }
      warnAboutWeakTopics(admin, present, kafka);
      if (missing.isEmpty()) {
        return;
      }
      for (final var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          LOG.info("Created topic {} ({} partitions, replication factor {}, min.insync.replicas {})",
              entry.getKey(), partitions, kafka.replicationFactor(), kafka.minInsyncReplicas());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + topics, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + topics + ": " + e.getMessage(), e);
    }
  }

  private static void warnAboutWeakTopics(final Admin admin, final List<String> names, final KafkaSettings kafka)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (names.isEmpty()) {
      return;
    }
    final Map<String, TopicDescription> described =
        admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    final List<ConfigResource> resources = names.stream()
        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    final Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    for (final String name : names) {
      final int replicas = described.get(name).partitions().stream()
          .mapToInt(p -> p.replicas().size()).min().orElse(0);
      final ConfigEntry entry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
          .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      final int minInsync = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
      if (replicas < kafka.replicationFactor() || minInsync < kafka.minInsyncReplicas()) {
        LOG.warn("{}", kafka.weakTopic(name, replicas, minInsync));
      }
    }
  }
}
