package io.tidewire.gateway.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.gateway.testing.TestKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The tail's lag on the shared Kafka: what the consumer saw at its last poll. */
class TopicTailLagTest {

  private static final int RECORDS = 100;
  private static final int PER_POLL = 10;

  @Test
  void lagIsTheRecordsBehindTheEndAtTheLastPollAndZeroOnceCaughtUp() throws Exception {
    final String topic = "tail-lag-" + UUID.randomUUID();
    final Uuid topicId;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKit.bootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
    }
    try (KafkaProducer<String, byte[]> producer = TestKit.producer(new ByteArraySerializer())) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(topic, "k", new byte[] {(byte) i}));
      }
      producer.flush();
    }
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKit.bootstrap());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(PER_POLL));
    final CountDownLatch release = new CountDownLatch(1);

    try (TopicTail tail = new TopicTail(topic, topicId, 1,
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        TopicTail.Start.EARLIEST, t -> { })) {
      assertThat(tail.lag()).isZero();
      tail.start((record, position) -> {
        try {
          release.await(); // a slow handler holds the tail on its first poll
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });

      await().atMost(Duration.ofSeconds(20)).until(() -> tail.lag() > 0);
      assertThat(tail.lag()).isEqualTo(RECORDS - PER_POLL);

      release.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> tail.position(0) == RECORDS && tail.lag() == 0);
    }
  }
}
