package io.tidewire.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 * Creates topics that do not exist yet, with the configs of the catalogue; leaves existing ones
 * untouched. Every part calls it at start for the topics it reads or writes, so the start order of
 * the processes does not matter. The parts size new topics with their shared Kafka settings
 * ({@code TIDEWIRE_TOPIC_PARTITIONS}, whose one default is the settings module's
 * {@code KafkaSettings.DEFAULT_TOPIC_PARTITIONS}).
 */
public final class TopicProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  private TopicProvisioner() {}

  /**
   * Ensures each topic exists; one that does not is created with its {@link Topic#configs()}.
   *
   * @param admin an open admin client
   * @param topics the topics, from {@link Topics}
   * @param partitions partition count for topics that are created
   * @param replicationFactor replication factor for topics that are created
   */
  public static void ensure(final Admin admin, final Collection<? extends Topic<?, ?>> topics,
      final int partitions, final short replicationFactor) {
    try {
      final Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      final List<NewTopic> missing = new ArrayList<>();
      for (final Topic<?, ?> topic : topics) {
        if (!existing.contains(topic.name())) {
          missing.add(new NewTopic(topic.name(), partitions, replicationFactor).configs(topic.configs()));
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
      throw new IllegalStateException("interrupted while creating topics " + topics, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + topics + ": " + e.getMessage(), e);
    }
  }
}
