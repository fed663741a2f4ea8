package io.tidewire.capture;

import io.tidewire.schemas.Topic;
import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * Creates the topics the capture writes, if missing: one change topic per captured table and the
 * heartbeat topic and {@code realtime.dlq}, sized by the shared Kafka settings. (The offsets topic is Kafka Connect's
 * store's to create.) Stateless.
 */
final class ChangeTopics {

  private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private ChangeTopics() {}

  /**
   * @param config the capture's configuration
   * @throws CaptureException if the topics cannot be created
   */
  static void provision(final CaptureConfig config) {
    final List<Topic<byte[], byte[]>> topics = new ArrayList<>();
    config.changeTopics().forEach(name -> topics.add(Topics.bytes(name)));
    topics.add(Topics.bytes(config.heartbeatTopic()));
    // where oversized changes go (OversizedChange); the processor creates it too
    topics.add(Topics.DEAD_LETTER);
    final Admin admin = Admin.create(CaptureProperties.admin(config));
    try {
      TopicProvisioner.ensure(admin, topics, config.kafka().topicPartitions(), config.kafka());
    } catch (IllegalStateException e) {
      throw new CaptureException("cannot create the change topics on " + config.kafka().bootstrap() + ": "
          + e.getMessage(), e);
    } finally {
      admin.close(ADMIN_CLOSE_TIMEOUT);
    }
  }
}
