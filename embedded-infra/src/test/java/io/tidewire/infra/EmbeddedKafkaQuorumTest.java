package io.tidewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.infra.EmbeddedKafka.QuorumNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaQuorumTest {

  @TempDir
  Path dir;

  @Test
  void threeNodesFormOneQuorumWithReplicationThreeAndMinInSyncTwo() throws Exception {
    final List<QuorumNode> quorum = List.of(
        new QuorumNode(1, FreePorts.any(), FreePorts.any()),
        new QuorumNode(2, FreePorts.any(), FreePorts.any()),
        new QuorumNode(3, FreePorts.any(), FreePorts.any()));
    final String clusterId = Uuid.randomUuid().toString();
    // a thread per node: a node is ready only once a majority of the quorum runs
    final ExecutorService pool = Executors.newFixedThreadPool(quorum.size());
    final List<CompletableFuture<EmbeddedKafka>> starting = new ArrayList<>();
    for (final QuorumNode n : quorum) {
      starting.add(CompletableFuture.supplyAsync(() -> EmbeddedKafka.startNode(n.nodeId(), quorum,
          clusterId, dir.resolve("node-" + n.nodeId()), Map.of()), pool));
    }
    final List<EmbeddedKafka> nodes = new ArrayList<>();
    try {
      for (final CompletableFuture<EmbeddedKafka> f : starting) {
        nodes.add(f.get(180, TimeUnit.SECONDS));
      }
      final String bootstrap = nodes.stream().map(EmbeddedKafka::bootstrapServers)
          .collect(Collectors.joining(","));
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
        admin.createTopics(List.of(new NewTopic("replicated", java.util.Optional.of(2), java.util.Optional.empty())))
            .all().get(30, TimeUnit.SECONDS);
        final TopicDescription d = admin.describeTopics(List.of("replicated")).allTopicNames()
            .get(30, TimeUnit.SECONDS).get("replicated");
        assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        final ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replicated");
        final Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS)
            .get(topic);
        assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");

        // one node down: acks=all still succeeds with two in sync; back up on the same port
        nodes.get(0).stop();
        produce(bootstrap);
        nodes.get(0).restart();
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
      }
    } finally {
      // all at once: a node stopping after the quorum has lost its majority waits minutes for it
      CompletableFuture.allOf(nodes.stream()
          .map(n -> CompletableFuture.runAsync(n::close, pool)).toArray(CompletableFuture[]::new))
          .get(120, TimeUnit.SECONDS);
      pool.shutdown();
    }
  }

  private static void produce(final String bootstrap) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("replicated", "k", "v")).get(60, TimeUnit.SECONDS);
    }
  }
}
