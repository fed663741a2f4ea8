package io.tidewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SharedInfraTest {

  private final SharedInfra infra = SharedInfra.get();

  @Test
  void postgresHasLogicalDecodingAndTheAppSchema() throws Exception {
    try (Connection c = infra.postgres().dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(single(s, "SHOW wal_level")).isEqualTo("logical");
      assertThat(single(s, "SHOW synchronous_commit")).isEqualTo("on");
      assertThat(single(s, "SELECT rolreplication::text FROM pg_roles WHERE rolname = 'tidewire'"))
          .isEqualTo("true");
      for (final String table : List.of("users", "generation_jobs", "training_jobs",
          "credit_transactions", "videos", "images", "likes", "comments")) {
        assertThat(single(s, "SELECT relreplident::text FROM pg_class WHERE relname = '" + table
            + "'")).as(table).isEqualTo("f");
      }
      s.execute("INSERT INTO users (id, credits) VALUES ('00000000-0000-0000-0000-0000000000a1', 5)");
      s.execute("INSERT INTO generation_jobs (user_id, kind) VALUES "
          + "('00000000-0000-0000-0000-0000000000a1', 'video')");
      assertThat(single(s, "SELECT status || ':' || progress FROM generation_jobs WHERE user_id = "
          + "'00000000-0000-0000-0000-0000000000a1'")).isEqualTo("waiting:0");
    }
  }

  @Test
  void kafkaAcceptsTransactionsAndReadsBack() throws Exception {
    final String topic = "infra-test-" + System.nanoTime();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        infra.kafka().bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic), new StringSerializer(),
        new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "v"));
      producer.commitTransaction();
    }
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
        new StringDeserializer())) {
      final TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int seen = 0;
      while (seen == 0 && System.nanoTime() < deadline) {
        final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        seen += records.count();
      }
      assertThat(seen).isEqualTo(1);
    }
  }

  private static String single(final Statement s, final String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
