package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Unit test of the sink alone, against Kafka's MockProducer and a recording committer. */
class KafkaChangeSinkTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockClock clock = new MockClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, new FirstPartition(), new ByteArraySerializer(), new ByteArraySerializer());
  private final RecordingCommitter committer = new RecordingCommitter();
  private final KafkaChangeSink sink = new KafkaChangeSink(producer, registry, "cdc");

  private static Event change(final String id, final String op, final long sourceTsMs, final String snapshot) {
    return new Event("{\"id\":\"" + id + "\"}",
        "{\"before\":null,\"after\":{\"id\":\"" + id + "\"},\"source\":{\"ts_ms\":" + sourceTsMs
            + ",\"snapshot\":\"" + snapshot + "\",\"lsn\":1},\"op\":\"" + op + "\"}",
        "cdc.public.generation_jobs");
  }

  private CompletableFuture<Void> handleAsync(final List<ChangeEvent<String, String>> batch) {
    return CompletableFuture.runAsync(() -> {
      try {
        sink.handleBatch(batch, committer);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void marksRecordsProcessedOnlyAfterEveryAckThenFinishesTheBatch() throws Exception {
    final List<ChangeEvent<String, String>> batch = List.of(change("a", "c", 0, "false"),
        change("b", "u", 0, "false"), change("c", "d", 0, "false"));
    final CompletableFuture<Void> handled = handleAsync(batch);

    await().atMost(WAIT).until(() -> producer.history().size() == 3);
    producer.completeNext();
    producer.completeNext();
    assertThat(handled).isNotDone();
    assertThat(committer.calls).isEmpty();

    producer.completeNext();
    handled.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(committer.calls).containsExactly("processed {\"id\":\"a\"}", "processed {\"id\":\"b\"}",
        "processed {\"id\":\"c\"}", "batch finished");
  }

  @Test
  void sendsKeyAndValueAsUtf8ToTheDestinationAndKeepsTombstonesNull() throws Exception {
    final Event insert = new Event("{\"id\":\"é\"}", "{\"op\":\"c\",\"after\":{\"caption\":\"café ☕\"}}",
        "cdc.public.images");
    final Event tombstone = new Event("{\"id\":\"é\"}", null, "cdc.public.images");
    final CompletableFuture<Void> handled = handleAsync(List.of(insert, tombstone));

    await().atMost(WAIT).until(() -> producer.history().size() == 2);
    producer.completeNext();
    producer.completeNext();
    handled.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    final ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
    assertThat(sent.topic()).isEqualTo("cdc.public.images");
    assertThat(new String(sent.key(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"é\"}");
    assertThat(new String(sent.value(), StandardCharsets.UTF_8)).isEqualTo(insert.value());
    assertThat(producer.history().get(1).value()).isNull();
    assertThat(producer.history().get(1).key()).isEqualTo(sent.key());
    assertThat(sink.supportsTombstoneEvents()).isTrue();
  }

  @Test
  void sendsAChangeOfATablePartitionedByOwnerToItsOwnersPartition() throws Exception {
    final String topic = "cdc.public.generation_jobs";
    final Node node = new Node(0, "localhost", 9092);
    final List<PartitionInfo> partitions = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      partitions.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
    }
    final MockProducer<byte[], byte[]> sixPartitions = new MockProducer<>(new Cluster("c", List.of(node), partitions,
        Set.of(), Set.of()), true, new FirstPartition(), new ByteArraySerializer(), new ByteArraySerializer());
    final KafkaChangeSink owned = new KafkaChangeSink(sixPartitions, registry, "cdc",
        OwnerPartitioner.of(Map.of(topic, "user_id")));
    final Event job = new Event("{\"id\":\"j1\"}",
        "{\"before\":null,\"after\":{\"id\":\"j1\",\"user_id\":\"alice\"},\"source\":{},\"op\":\"c\"}", topic);
    final Event other = new Event("{\"id\":\"v1\"}", "{\"after\":{\"user_id\":\"alice\"},\"op\":\"c\"}",
        "cdc.public.videos");

    final Event delete = new Event("{\"id\":\"j1\"}",
        "{\"before\":{\"id\":\"j1\",\"user_id\":\"alice\"},\"after\":null,\"source\":{},\"op\":\"d\"}", topic);
    final Event tombstone = new Event("{\"id\":\"j1\"}", null, topic);

    owned.handleBatch(List.of(job, other, delete, tombstone), committer);

    final int alice = BuiltInPartitioner.partitionForKey("alice".getBytes(StandardCharsets.UTF_8), 6);
    assertThat(sixPartitions.history().get(0).partition()).isEqualTo(alice);
    assertThat(sixPartitions.history().get(1).partition()).as("left to the producer").isNull();
    assertThat(sixPartitions.history().get(2).partition()).as("a delete: the owner before it").isEqualTo(alice);
    assertThat(sixPartitions.history().get(3).partition()).as("its tombstone follows it").isEqualTo(alice);
  }

  @Test
  void failedAckMarksNothingAndPropagates() {
    final CompletableFuture<Void> handled = handleAsync(List.of(change("a", "c", 0, "false"),
        change("b", "u", 0, "false"), change("c", "u", 0, "false")));

    await().atMost(WAIT).until(() -> producer.history().size() == 3);
    producer.completeNext();
    producer.errorNext(new NotEnoughReplicasException("only 1 in-sync replica"));
    producer.completeNext();

    await().atMost(WAIT).until(handled::isDone);
    assertThat(handled).isCompletedExceptionally();
    assertThat(causeOf(handled)).isInstanceOf(CaptureException.class)
        .hasMessageContaining("Kafka did not acknowledge a change record for cdc.public.generation_jobs")
        .hasRootCauseInstanceOf(NotEnoughReplicasException.class);
    assertThat(committer.calls).isEmpty();
    assertThat(registry.get("tidewire.capture.errors").tag("stage", "send").counter().count()).isEqualTo(1);
  }

  @Test
  void changeKafkaRefusesAsTooLargeIsReplacedByADeadLetterAndTheBatchIsCommitted() throws Exception {
    final List<ChangeEvent<String, String>> batch = List.of(change("big", "c", 0, "false"),
        change("small", "u", 0, "false"));
    final CompletableFuture<Void> handled = handleAsync(batch);

    await().atMost(WAIT).until(() -> producer.history().size() == 2);
    producer.errorNext(new RecordTooLargeException("too large"));
    producer.completeNext();
    await().atMost(WAIT).until(() -> producer.history().size() == 3);
    assertThat(committer.calls).isEmpty();
    producer.completeNext();
    handled.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    final ProducerRecord<byte[], byte[]> letter = producer.history().get(2);
    assertThat(letter.topic()).isEqualTo("realtime.dlq");
    assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"big\"}");
    assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("\"reason\":\"record_too_large\"")
        .contains("\"topic\":\"cdc.public.generation_jobs\"").contains("\"lsn\":1");
    assertThat(committer.calls).containsExactly("processed {\"id\":\"big\"}", "processed {\"id\":\"small\"}",
        "batch finished");
    assertThat(registry.get("tidewire.capture.dead.letters").counter().count()).isEqualTo(1);
    assertThat(registry.get("tidewire.capture.errors").tag("stage", "send").counter().count()).isZero();
  }

  @Test
  void sendThatThrowsMarksNothingAndPropagates() {
    producer.sendException = new RecordTooLargeException("too large");

    final CompletableFuture<Void> handled = handleAsync(List.of(change("a", "c", 0, "false")));

    await().atMost(WAIT).until(handled::isDone);
    assertThat(causeOf(handled)).isInstanceOf(CaptureException.class)
        .hasMessageContaining("cannot send a change record to cdc.public.generation_jobs")
        .hasCauseInstanceOf(RecordTooLargeException.class);
    assertThat(committer.calls).isEmpty();
  }

  @Test
  void interruptWhileAwaitingAcksMarksNothingAndEndsWithInterruptedException() throws Exception {
    final AtomicReference<Throwable> thrown = new AtomicReference<>();
    final AtomicBoolean interruptFlagAfter = new AtomicBoolean();
    final Thread engineThread = new Thread(() -> {
      try {
        sink.handleBatch(List.of(change("a", "c", 0, "false")), committer);
      } catch (InterruptedException | RuntimeException e) {
        thrown.set(e);
        interruptFlagAfter.set(Thread.currentThread().isInterrupted());
      }
    });
    engineThread.start();
    await().atMost(WAIT).until(() -> producer.history().size() == 1);

    engineThread.interrupt();
    engineThread.join(WAIT.toMillis());

    assertThat(engineThread.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(committer.calls).isEmpty();
  }

  @Test
  void countsRecordsByTableAndOpAndTimesOnlyStreamedChangesFromCommitToAck() throws Exception {
    clock.add(Duration.ofMillis(1_700_000_000_000L));
    final long now = clock.wallTime();
    final CompletableFuture<Void> handled = handleAsync(List.of(
        change("a", "u", now - 25, "false"),
        change("b", "r", now - 60_000, "true"),
        new Event("{\"id\":\"a\"}", null, "cdc.public.generation_jobs"),
        new Event("{\"serverName\":\"cdc\"}", "{\"ts_ms\":" + now + "}", "__debezium-heartbeat.cdc")));
    await().atMost(WAIT).until(() -> producer.history().size() == 4);
    for (int i = 0; i < 4; i++) {
      producer.completeNext();
    }
    handled.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(count("public.generation_jobs", "u")).isEqualTo(1);
    assertThat(count("public.generation_jobs", "r")).isEqualTo(1);
    assertThat(count("public.generation_jobs", "tombstone")).isEqualTo(1);
    assertThat(count("__debezium-heartbeat.cdc", "none")).isEqualTo(1);
    assertThat(registry.get("tidewire.capture.batch.size").summary().totalAmount()).isEqualTo(4);
    final var lag = registry.get("tidewire.capture.commit.to.ack").timer();
    assertThat(lag.count()).isEqualTo(1);
    assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(25);
  }

  private double count(final String table, final String op) {
    return registry.get("tidewire.capture.records").tags("table", table, "op", op).counter().count();
  }

  private static Throwable causeOf(final CompletableFuture<Void> future) {
    try {
      future.get();
      throw new AssertionError("expected failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  record Event(String key, String value, String destination) implements ChangeEvent<String, String> {
    @Override
    public Integer partition() {
      return null;
    }
  }

  static final class RecordingCommitter implements DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void markProcessed(final ChangeEvent<String, String> record) {
      calls.add("processed " + record.key());
    }

    @Override
    public void markBatchFinished() {
      calls.add("batch finished");
    }

    @Override
    public void markProcessed(final ChangeEvent<String, String> record, final DebeziumEngine.Offsets offsets) {
      throw new UnsupportedOperationException("the sink must not set offsets itself");
    }

    @Override
    public DebeziumEngine.Offsets buildOffsets() {
      throw new UnsupportedOperationException("the sink must not set offsets itself");
    }
  }

  static final class FirstPartition implements Partitioner {
    @Override
    public int partition(final String topic, final Object key, final byte[] keyBytes, final Object value,
        final byte[] valueBytes, final Cluster cluster) {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public void configure(final Map<String, ?> configs) {}
  }
}
