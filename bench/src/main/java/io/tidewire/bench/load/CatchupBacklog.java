package io.tidewire.bench.load;

import io.tidewire.processor.internals.EventIds;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes the backlog of the catch-up scenario straight to {@code realtime.user-events}: events of
 * one user interleaved with many more events of other users whose keys hash to the same partition,
 * so a replay of that user's partition has to read past all of them. Records look like the
 * processor's {@code generation.progress} events (Avro {@code UserEvent}, key = user id) with
 * deterministic, unique ids.
 *
 * <p>Not thread-safe: one backlog is written by one thread; {@link #ids()} may be read afterwards
 * from any thread.
 */
public final class CatchupBacklog {

  /** What was written. */
  public record Written(long records, long ownRecords, long bytes, long ownBytes,
      double seconds) {}

  private static final int JOBS_PER_USER = 4;

  private final String bootstrap;
  private final String user;
  private final String tag;
  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  /**
   * @param bootstrap Kafka bootstrap servers
   * @param user the user who is offline
   * @param tag makes ids unique across runs and sizes
   */
  public CatchupBacklog(final String bootstrap, final String user, final String tag) {
    this.bootstrap = bootstrap;
    this.user = user;
    this.tag = tag;
  }

  /**
   * Produces {@code own} events of the user and {@code othersFactor × own} events of other users
   * in the same partition (interleaved: {@code othersFactor} foreign events before each own one),
   * with a batching idempotent producer, and returns once every record was acknowledged.
   *
   * @throws IllegalStateException if a send failed
   */
  public Written write(final int own, final int othersFactor) throws InterruptedException {
    final Serializer<UserEvent> values = Topics.USER_EVENTS.valueSerde().serializer();
    final StringSerializer keys = new StringSerializer();
    final String topic = Topics.USER_EVENTS.name();
    final AtomicLong acked = new AtomicLong();
    final AtomicReference<Exception> failure = new AtomicReference<>();
    long bytes = 0;
    long ownBytes = 0;
    long records = 0;
    final long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(), keys,
        new ByteArraySerializer())) {
      final int partitions = producer.partitionsFor(topic).size();
      final List<String> others = neighbours(user, partitions, Math.max(1,
          Math.min(1_000, own * othersFactor)));
      final String[] ownJobs = jobs(JOBS_PER_USER);
      final String[] otherJobs = jobs(64);
      long seq = 0;
      for (int i = 0; i < own && failure.get() == null; i++) {
        for (int k = 0; k < othersFactor; k++) {
          final String other = others.get((int) (seq % others.size()));
          final byte[] value = values.serialize(topic, event(other, seq,
              otherJobs[(int) (seq % otherJobs.length)], i));
          bytes += value.length + other.length();
          producer.send(new ProducerRecord<>(topic, other, value), (md, e) -> ack(e, acked,
              failure));
          seq++;
          records++;
        }
        final String id = eventId(seq);
        ids.add(id);
        final byte[] value = values.serialize(topic, event(user, seq,
            ownJobs[i % ownJobs.length], i / ownJobs.length));
        bytes += value.length + user.length();
        ownBytes += value.length + user.length();
        producer.send(new ProducerRecord<>(topic, user, value), (md, e) -> ack(e, acked,
            failure));
        seq++;
        records++;
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a backlog record was not acknowledged: " + failure.get(),
          failure.get());
    }
    if (acked.get() != records) {
      throw new IllegalStateException(acked.get() + " of " + records + " records acknowledged");
    }
    return new Written(records, own, bytes, ownBytes, (System.nanoTime() - start) / 1e9);
  }

  /** The ids of the user's own events written so far. */
  public Set<String> ids() {
    return ids;
  }

  private static void ack(final Exception error, final AtomicLong acked,
      final AtomicReference<Exception> failure) {
    if (error == null) {
      acked.incrementAndGet();
    } else {
      failure.compareAndSet(null, error);
    }
  }

  private UserEvent event(final String owner, final long seq, final String job, final int round) {
    return ProgressEvents.of(eventId(seq), owner, seq, job, round);
  }

  /** An id made as the processor makes its derived ids, over the run tag and the sequence. */
  private String eventId(final long seq) {
    return EventIds.derived("bench-catchup", tag, Long.toString(seq));
  }

  /** {@code count} random user ids whose records land in the same partition as {@code user}'s. */
  static List<String> neighbours(final String user, final int partitions, final int count) {
    final int target = Topics.partitionOf(user, partitions);
    final List<String> found = new ArrayList<>(count);
    while (found.size() < count) {
      final String candidate = UUID.randomUUID().toString();
      if (Topics.partitionOf(candidate, partitions) == target) {
        found.add(candidate);
      }
    }
    return found;
  }

  private static String[] jobs(final int count) {
    final String[] jobs = new String[count];
    for (int i = 0; i < count; i++) {
      jobs[i] = UUID.randomUUID().toString();
    }
    return jobs;
  }

  private Properties producerProps() {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        Long.toString(Duration.ofMinutes(2).toMillis()));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-catchup-backlog");
    return props;
  }
}
