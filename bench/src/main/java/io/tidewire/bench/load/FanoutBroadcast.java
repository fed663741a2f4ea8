package io.tidewire.bench.load;

import io.tidewire.bench.stats.LatencyRecorder;
import io.tidewire.bench.stats.Pacer;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.FeedCounts;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.SourcePosition;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The fan-out scenario's source: {@code feed.counts} events produced straight to
 * {@code realtime.feed-events} at a fixed rate (no PostgreSQL, no capture, no processor in the
 * path), each with an id that names its run and index, so every receipt by every client can be
 * matched to the event's scheduled and actual send time.
 *
 * <p>{@link #run} is called by one thread at a time; {@link #received} by any number of threads
 * (the fleet's listeners) concurrently.
 */
public final class FanoutBroadcast implements AutoCloseable {

  /** What one run delivered. */
  public static final class Run {
    private final String idPrefix;
    private final AtomicLongArray scheduled;
    private final AtomicLongArray sent;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LongAdder delivered = new LongAdder();
    private volatile long lastReceivedNanos;
    private volatile int events;

    private Run(final String idPrefix, final int capacity) {
      this.idPrefix = idPrefix;
      this.scheduled = new AtomicLongArray(capacity);
      this.sent = new AtomicLongArray(capacity);
    }

    /** Events produced. */
    public int events() {
      return events;
    }

    /** Receipts matched to an event of this run, over all clients. */
    public long delivered() {
      return delivered.sum();
    }

    /** Scheduled send → receipt (corrected) and actual send → receipt (raw), per delivery. */
    public LatencyRecorder latency() {
      return latency;
    }

    /** {@link System#nanoTime()} of the latest receipt (0 if none). */
    public long lastReceivedNanos() {
      return lastReceivedNanos;
    }

    void receipt(final int index, final long receivedNanos) {
      if (index < 0 || index >= scheduled.length()) {
        return;
      }
      final long due = scheduled.get(index);
      if (due == 0) {
        return;
      }
      final long done = sent.get(index);
      latency.record(due, done == 0 ? due : done, receivedNanos);
      delivered.increment();
      if (receivedNanos - lastReceivedNanos > 0) {
        lastReceivedNanos = receivedNanos;
      }
    }
  }

  private final KafkaProducer<String, FeedEvent> producer;
  private volatile Run current;
  private int runs;

  /** A producer to {@code bootstrap}; sends as soon as asked (no linger), leader ack. */
  public FanoutBroadcast(final String bootstrap) {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    this.producer = new KafkaProducer<>(props, Topics.FEED_EVENTS.keySerde().serializer(),
        Topics.FEED_EVENTS.valueSerde().serializer());
  }

  /**
   * Produces {@code rate × duration} events at a fixed rate and returns when the last one was
   * handed to the producer (receipts may still arrive; watch {@link Run#delivered()}). From then
   * on {@link #received} counts receipts of this run only.
   */
  public Run run(final double rate, final Duration duration) {
    final int count = (int) Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    final Run run = new Run("fo" + (++runs) + "-", count);
    current = run;
    final Pacer pacer = Pacer.startingNow(rate);
    for (int i = 0; i < count && !Thread.currentThread().isInterrupted(); i++) {
      final long due = pacer.awaitDue(i);
      run.scheduled.set(i, due);
      producer.send(new ProducerRecord<>(Topics.FEED_EVENTS.name(), "video:c" + (i % 64),
          event(run.idPrefix + i, i)));
      run.sent.set(i, System.nanoTime());
      run.events = i + 1;
    }
    producer.flush();
    return run;
  }

  private static FeedEvent event(final String id, final int i) {
    return FeedEvent.newBuilder().setId(id).setType("feed.counts")
        .setTs(System.currentTimeMillis())
        .setSource(SourcePosition.newBuilder().setTable("public.likes").setLsn(null)
            .setTxId(null).setSnapshot(false).build())
        .setData(FeedCounts.newBuilder().setContentType("video").setContentId("c" + (i % 64))
            .setLikes(i).setComments(i / 3).build())
        .build();
  }

  /**
   * A frame some client received at {@code receivedNanos}: counted and timed if it is an event of
   * the current run. Cheap: the frame is parsed only up to its {@code id}, the third field.
   */
  public void received(final Frame frame, final long receivedNanos) {
    final Run run = current;
    if (run == null) {
      return;
    }
    frame.text("id").filter(id -> id.startsWith(run.idPrefix)).ifPresent(id -> {
      try {
        run.receipt(Integer.parseInt(id, run.idPrefix.length(), id.length(), 10), receivedNanos);
      } catch (NumberFormatException e) {
        // not one of ours
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
