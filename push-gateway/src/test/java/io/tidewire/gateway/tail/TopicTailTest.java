package io.tidewire.gateway.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TopicTailTest {

  private static final String TOPIC = "t";
  private static final Uuid ID = Uuid.randomUuid();

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final List<Cursor> cursors = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger polls = new AtomicInteger();
  private final List<String> growths = new CopyOnWriteArrayList<>();
  private TopicTail tail;

  @AfterEach
  void close() {
    if (tail != null) {
      tail.close();
    }
  }

  private TopicTail start(final int partitions, final long end) {
    return start(partitions, 0, end, TopicTail.Start.LATEST);
  }

  private TopicTail start(final int partitions, final long beginning, final long end,
      final TopicTail.Start from) {
    final Map<TopicPartition, Long> begins = new HashMap<>();
    final Map<TopicPartition, Long> ends = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      begins.put(new TopicPartition(TOPIC, p), beginning);
      ends.put(new TopicPartition(TOPIC, p), end);
    }
    consumer.updateBeginningOffsets(begins);
    consumer.updateEndOffsets(ends);
    tail = new TopicTail(TOPIC, ID, partitions, consumer, from, topic -> failures.incrementAndGet());
    tail.start(new TopicTail.RecordHandler() {
      @Override
      public void handle(final ConsumerRecord<byte[], byte[]> record, final Supplier<Cursor> position) {
        final String value = new String(record.value(), StandardCharsets.UTF_8);
        if (value.equals("poison")) {
          throw new IllegalArgumentException("cannot decode");
        }
        handled.add(value);
        cursors.add(position.get());
      }

      @Override
      public void polled() {
        polls.incrementAndGet();
      }

      @Override
      public void partitionsAdded(final int before, final int after) {
        growths.add(before + "->" + after);
      }
    });
    return tail;
  }

  private void add(final int partition, final long offset, final String value) {
    consumer.addRecord(new ConsumerRecord<>(TOPIC, partition, offset, null,
        value.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void startsAtTheEndOfEveryPartition() {
    start(3, 10);

    assertThat(consumer.assignment()).hasSize(3);
    assertThat(tail.position(0)).isEqualTo(10);
    assertThat(tail.position(2)).isEqualTo(10);
  }

  @Test
  void eachRecordCarriesItsCursorAndPoisonDoesNotStopTheTail() {
    start(1, 5);

    add(0, 5, "one");
    add(0, 6, "poison");
    add(0, 7, "two");

    await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 2);
    assertThat(handled).containsExactly("one", "two");
    assertThat(cursors).containsExactly(Cursor.of(ID, 0, 0, 6), Cursor.of(ID, 0, 0, 8));
    assertThat(failures).hasValue(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> tail.position(0) == 8);
    assertThat(tail.isAlive()).isTrue();
  }

  @Test
  void positionAfterARecordNamesEveryPartitionWithThatRecordPassed() {
    start(3, 5);

    add(1, 5, "one");

    await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 1);
    assertThat(cursors).containsExactly(Cursor.of(ID, 0, Map.of(0, 5L, 1, 6L, 2, 5L)));
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() > 0);
  }

  @Test
  void seamTellsThePositionOfTheKeysPartitionOrOfAllPartitions() {
    start(3, 4);
    final AtomicReference<Cursor> userSeam = new AtomicReference<>();
    final AtomicReference<Cursor> feedSeam = new AtomicReference<>();

    tail.atSeam(Optional.of("user-42"), userSeam::set);
    tail.atSeam(Optional.empty(), feedSeam::set);

    assertThat(userSeam.get()).isEqualTo(Cursor.of(ID, 0, Topics.partitionOf("user-42", 3), 4));
    assertThat(feedSeam.get()).isEqualTo(Cursor.of(ID, 0, Map.of(0, 4L, 1, 4L, 2, 4L)));
  }

  @Test
  void stateTailStartsAtTheBeginning() {
    start(2, 3, 10, TopicTail.Start.EARLIEST);

    assertThat(tail.position(0)).isEqualTo(3);
    assertThat(tail.position(1)).isEqualTo(3);
    add(0, 3, "oldest");
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("oldest"));
  }

  @Test
  void closeStopsTheThreadAndIsIdempotent() {
    start(1, 0);

    tail.close();
    tail.close();

    assertThat(tail.isAlive()).isFalse();
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void followsAddedPartitionsFromTheirBeginningWithoutLosingWhatWasWrittenBefore() {
    start(2, 7);
    consumer.updateBeginningOffsets(Map.of(new TopicPartition(TOPIC, 2), 0L, new TopicPartition(TOPIC, 3), 0L));
    consumer.updateEndOffsets(Map.of(new TopicPartition(TOPIC, 2), 1L, new TopicPartition(TOPIC, 3), 0L));

    tail.follow(4);

    await().atMost(Duration.ofSeconds(5)).until(() -> tail.partitions() == 4);
    assertThat(growths).containsExactly("2->4");
    assertThat(consumer.assignment()).hasSize(4);
    assertThat(tail.position()).isEqualTo(Cursor.of(ID, 0, Map.of(0, 7L, 1, 7L, 2, 0L, 3, 0L)));
    final AtomicReference<Cursor> seam = new AtomicReference<>();
    final String key = IntStream.range(0, 1000).mapToObj(i -> "user-" + i)
        .filter(k -> Topics.partitionOf(k, 4) == 2).findFirst().orElseThrow();
    tail.atSeam(Optional.of(key), seam::set);
    assertThat(seam.get()).isEqualTo(Cursor.of(ID, 0, 2, 0));

    add(2, 0, "written before the tail noticed");
    add(0, 7, "old partition");

    await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 2);
    assertThat(handled).containsExactlyInAnyOrder("written before the tail noticed", "old partition");
    await().atMost(Duration.ofSeconds(5)).until(() -> tail.position(2) == 1 && tail.position(0) == 8);
  }

  @Test
  void neverShrinks() {
    start(3, 1);

    tail.follow(2);
    tail.follow(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> polls.get() > 1);

    assertThat(tail.partitions()).isEqualTo(3);
    assertThat(growths).isEmpty();
  }
}
