package io.tidewire.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics that do not exist yet; leaves existing ones untouched. Every part calls it at
 * start for the topics it reads or writes, so the start order of the processes does not matter.
 * The parts size new topics with their shared Kafka settings ({@code TIDEWIRE_TOPIC_PARTITIONS},
 * whose one default is the settings module's {@code KafkaSettings.DEFAULT_TOPIC_PARTITIONS}).
 */
public final class TopicProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  private TopicProvisioner() {}

  /**
   * Ensures each named topic exists.
   *
   * @param admin an open admin client
   * @param names topic names
   * @param partitions partition count for topics that are created
   * @param replicationFactor replication factor for topics that are created
   * @param configs topic configs for topics that are created (e.g. retention)
   */
  public static void ensure(final Admin admin, final Collection<String> names, final int partitions,
      final short replicationFactor, final Map<String, String> configs) {
    try {
      final Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      final List<NewTopic> missing = new ArrayList<>();
      for (final String name : names) {
        if (!existing.contains(name)) {
          missing.add(new NewTopic(name, partitions, replicationFactor).configs(configs));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      for (final var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(30, TimeUnit.SECONDS);
          LOG.info("Created topic {} ({} partitions)", entry.getKey(), partitions);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + names, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + names + ": " + e.getMessage(), e);
    }
  }
}
