package io.tidewire.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaRestartTest {

  @TempDir
  Path dir;

  @Test
  void restartAfterStopServesTheSameRecordsOnTheSamePort() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir)) {
      final String bootstrap = kafka.bootstrapServers();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      produce(bootstrap, "before");

      kafka.stop();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 500))) {
        assertThatThrownBy(() -> admin.listTopics().names().get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }
      kafka.restart();

      assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
      produce(bootstrap, "after");
      assertThat(readAll(bootstrap)).containsExactly("before", "after");
    }
  }

  private static void produce(final String bootstrap, final String value) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("kept", value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> readAll(final String bootstrap) {
    final List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
      final TopicPartition tp = new TopicPartition("kept", 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
        return seen.size() >= 2;
      });
    }
    return seen;
  }
}
