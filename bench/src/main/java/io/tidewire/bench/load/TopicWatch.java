package io.tidewire.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails a topic from its current end, as a consumer without a group ({@code read_committed}
 * unless told otherwise), and hands each record with its receipt time to a handler: how the
 * benchmarks see when a change became visible in Kafka at each hop of the pipeline, and, read
 * uncommitted, when a transactional producer wrote it (before its transaction committed).
 *
 * <p>Thread-safe to close from any thread; the handler runs on the watch's own thread.
 */
public final class TopicWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicWatch.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);

  /**
   * Starts watching {@code topic} from its end (the partitions are assigned and positioned before
   * this returns, so nothing written afterwards is missed).
   *
   * @param handler gets each record and {@link System#nanoTime()} of its poll
   */
  public TopicWatch(final String bootstrap, final String topic,
      final BiConsumer<ConsumerRecord<byte[], byte[]>, Long> handler) {
    this(bootstrap, topic, IsolationLevel.READ_COMMITTED, handler);
  }

  /**
   * Starts watching {@code topic} from its end with the given isolation level; see
   * {@link #TopicWatch(String, String, BiConsumer)}.
   */
  public TopicWatch(final String bootstrap, final String topic, final IsolationLevel isolation,
      final BiConsumer<ConsumerRecord<byte[], byte[]>, Long> handler) {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-watch-" + topic + "-" + isolation);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    final List<TopicPartition> partitions = new ArrayList<>();
    for (final PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(topic, p.partition()));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
    thread = new Thread(() -> {
      try {
        while (running.get()) {
          final var records = consumer.poll(Duration.ofMillis(200));
          final long at = System.nanoTime();
          for (final ConsumerRecord<byte[], byte[]> r : records) {
            handler.accept(r, at);
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        LOG.warn("watch of {} stopped: {}", topic, e.toString());
      } finally {
        consumer.close();
      }
    }, "bench-watch-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(10_000);
  }
}
