package io.tidewire.bench.load;

import io.tidewire.bench.stats.Pacer;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The ceiling scenario's source: {@code generation.progress} user events, Avro-encoded once
 * before the clock starts, produced straight to {@code realtime.user-events} (no PostgreSQL, no
 * capture, no processor in the path) as fast as the producer goes or at a fixed rate, so what is
 * measured is the gateway's live tail and not the cost of making the records.
 *
 * <p>A {@link Mix} decides which records belong to connected users: record {@code i} of the pool
 * goes to one of them when the fractional part of {@code i × φ} is below the share (an exact,
 * evenly spread fraction), to one of many users nobody connected as otherwise.
 *
 * <p>Every run starts at the beginning of the pool, so {@link Mix#connectedAmong} says how many of
 * its records go to connected users. {@link #burst} and {@link #paced} are called by one thread at a time; {@link #acked()} by any.
 */
public final class TailFlood implements AutoCloseable {

  /** How many distinct records are encoded and then produced in turn. */
  static final int POOL = 1 << 16;
  private static final double PHI = 0.6180339887498949;
  private static final int STRANGERS = 50_000;

  /**
   * Which users the records belong to.
   *
   * @param connected user ids with a connection subscribed to their user channel
   * @param share fraction (0–1) of the records that belong to one of them
   */
  public record Mix(List<String> connected, double share) {
    public Mix {
      connected = List.copyOf(connected);
      if (share < 0 || share > 1 || (share > 0 && connected.isEmpty())) {
        throw new IllegalArgumentException("share " + share + " of " + connected.size()
            + " connected users");
      }
    }

    /** Whether record {@code i} of the pool belongs to a connected user. */
    public boolean toConnected(final int i) {
      final double frac = (i * PHI) % 1.0;
      return frac < share;
    }

    /** Of {@code records} produced from the start of the pool, how many go to connected users. */
    public long connectedAmong(final long records) {
      long full = 0;
      for (int i = 0; i < POOL; i++) {
        if (toConnected(i)) {
          full++;
        }
      }
      long n = records / POOL * full;
      for (int i = 0; i < records % POOL; i++) {
        if (toConnected(i)) {
          n++;
        }
      }
      return n;
    }
  }

  /** What a run produced. */
  public record Produced(long records, long bytes, double seconds) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final byte[][] keys = new byte[POOL][];
  private final byte[][] values = new byte[POOL][];
  private final Mix mix;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private long next;

  /** Encodes the pool for {@code mix}; the producer connects to {@code bootstrap}. */
  public TailFlood(final String bootstrap, final Mix mix) {
    this.mix = mix;
    final Serializer<UserEvent> serializer = Topics.USER_EVENTS.valueSerde().serializer();
    final String topic = Topics.USER_EVENTS.name();
    final String[] strangers = new String[STRANGERS];
    for (int i = 0; i < strangers.length; i++) {
      strangers[i] = UUID.randomUUID().toString();
    }
    final String[] jobs = new String[64];
    for (int i = 0; i < jobs.length; i++) {
      jobs[i] = UUID.randomUUID().toString();
    }
    long toConnected = 0;
    for (int i = 0; i < POOL; i++) {
      final String owner;
      if (mix.toConnected(i)) {
        owner = mix.connected().get((int) (toConnected++ % mix.connected().size()));
      } else {
        owner = strangers[i % strangers.length];
      }
      keys[i] = owner.getBytes(StandardCharsets.UTF_8);
      values[i] = serializer.serialize(topic, ProgressEvents.of("bench-ceiling-" + i, owner, i,
          jobs[i % jobs.length], i));
    }
    this.producer = new KafkaProducer<>(producerProps(bootstrap), new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** The mix the pool was encoded for. */
  public Mix mix() {
    return mix;
  }

  /** Records acknowledged by the broker so far, over all runs. */
  public long acked() {
    return acked.get();
  }

  /**
   * Produces {@code records} records as fast as the producer takes them and returns once all are
   * acknowledged.
   *
   * @throws IllegalStateException if a send failed
   */
  public Produced burst(final long records) {
    final long start = System.nanoTime();
    long bytes = 0;
    for (long i = 0; i < records && failure.get() == null; i++) {
      bytes += send();
    }
    return finish(records, bytes, start);
  }

  /**
   * Produces at {@code rate} records per second for {@code duration} and returns once all are
   * acknowledged.
   *
   * @throws IllegalStateException if a send failed
   */
  public Produced paced(final double rate, final Duration duration) {
    final long records = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    final Pacer pacer = Pacer.startingNow(rate);
    final long start = System.nanoTime();
    long bytes = 0;
    for (long i = 0; i < records && failure.get() == null
        && !Thread.currentThread().isInterrupted(); i++) {
      pacer.awaitDue(i);
      bytes += send();
    }
    return finish(records, bytes, start);
  }

  private int send() {
    final int i = (int) (next++ % POOL);
    producer.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), keys[i], values[i]),
        (md, e) -> {
          if (e == null) {
            acked.incrementAndGet();
          } else {
            failure.compareAndSet(null, e);
          }
        });
    return keys[i].length + values[i].length;
  }

  private Produced finish(final long records, final long bytes, final long start) {
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException("a record was not acknowledged: " + failure.get(),
          failure.get());
    }
    // the next run starts at the beginning of the pool again, so its mix is known exactly
    next = 0;
    return new Produced(records, bytes, (System.nanoTime() - start) / 1e9);
  }

  private static Properties producerProps(final String bootstrap) {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024));
    // uncompressed, as the processor writes the topic
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-ceiling-flood");
    return props;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
