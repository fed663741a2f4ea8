package io.tidewire.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.gateway.tail.TopicTail;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopicWatchTest {

  private static final String TOPIC = "events";
  private static final Uuid ID = Uuid.randomUuid();
  private static final Node NODE = new Node(0, "localhost", 9092);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
  private final AtomicReference<CompletableFuture<Map<String, TopicDescription>>> described =
      new AtomicReference<>(new CompletableFuture<>());
  private TopicTail tail;
  private TopicWatch watch;

  @BeforeEach
  void start() {
    final Map<TopicPartition, Long> offsets = new HashMap<>();
    for (int p = 0; p < 4; p++) {
      offsets.put(new TopicPartition(TOPIC, p), 0L);
    }
    consumer.updateBeginningOffsets(offsets);
    consumer.updateEndOffsets(offsets);
    tail = new TopicTail(TOPIC, ID, 2, consumer, TopicTail.Start.LATEST, topic -> { });
    tail.start((record, position) -> { });
    watch = new TopicWatch(names -> described.get(), List.of(tail));
  }

  @AfterEach
  void close() {
    tail.close();
  }

  private static Map<String, TopicDescription> described(final Uuid id, final int partitions) {
    final List<TopicPartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new TopicPartitionInfo(p, NODE, List.of(NODE), List.of(NODE)));
    }
    return Map.of(TOPIC, new TopicDescription(TOPIC, false, infos, Set.of(), id));
  }

  @Test
  void addedPartitionsAreHandedToTheTail() {
    watch.check();
    described.get().complete(described(ID, 4));

    await().atMost(Duration.ofSeconds(5)).until(() -> tail.partitions() == 4);
    assertThat(watch.problem()).isEmpty();
  }

  @Test
  void recreatedTopicIsAProblemUntilRestart() {
    watch.check();
    described.get().complete(described(Uuid.randomUuid(), 2));

    assertThat(watch.problem()).hasValueSatisfying(p -> assertThat(p).contains(TOPIC, "recreated", "restart"));
    assertThat(tail.partitions()).isEqualTo(2);
  }

  @Test
  void failedDescriptionIsNoProblemAndTheNextCheckRuns() {
    watch.check();
    described.get().completeExceptionally(new IllegalStateException("Kafka down"));
    described.set(new CompletableFuture<>());

    assertThat(watch.problem()).isEmpty();
    watch.check();
    described.get().complete(described(ID, 3));
    await().atMost(Duration.ofSeconds(5)).until(() -> tail.partitions() == 3);
  }
}
