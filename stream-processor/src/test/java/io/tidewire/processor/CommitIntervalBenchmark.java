package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.infra.SharedInfra;
import io.tidewire.processor.internals.InternalSerde;
import io.tidewire.processor.internals.UserChange;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.FeedCounts;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.settings.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A small measurement, not a test: the processor's latency and throughput under exactly-once for a
 * few commit intervals, against the embedded broker of {@link SharedInfra} (same JVM). Latency is
 * send of a change to {@code cdc.*} → its event visible to a {@code read_committed} consumer, one
 * change at a time (capture not included), for a job's generation.progress (sent by the user-state
 * fold) and a joined credits.updated. Changes of user-owned tables go to their owner's partition,
 * as the capture sends them, so both take one hop; {@code -Dtidewire.byOwner=false} sends them by
 * key instead (a capture without {@code TIDEWIRE_CAPTURE_PARTITION_BY}: two hops, through the
 * repartition topics). Throughput is a burst of N generation job updates of 100 users, or N likes
 * over 100 videos, sent as fast as the producer goes, until the last event (or the final coalesced
 * count of every video) is visible.
 *
 * <p>Run: {@code java -cp target/test-classes:target/classes:<test class path>
 * [-Dtidewire.userState=false] [-Dtidewire.byOwner=false] [-Dtidewire.env.TIDEWIRE_X=V] [-Dtidewire.bursts=false]
 * [-Dtidewire.timeline=true] io.tidewire.processor.CommitIntervalBenchmark [intervals...]}. With
 * {@code tidewire.timeline} (and {@code tidewire.byOwner=false}, so the repartition topic is used) each interval first times 60 lone job updates (one every ~60 ms, a pace
 * unrelated to the commit interval) stage by stage, as read-uncommitted and read-committed
 * consumers of the repartition topic and of {@code realtime.user-events} see them.
 */
public final class CommitIntervalBenchmark {

  private static final int WARMUP = 10;
  private static final int SAMPLES = 60;
  private static final int BURST = 20_000;
  private static final int VIDEOS = 100;

  private final String bootstrap = SharedInfra.get().kafka().bootstrapServers();
  private final KafkaProducer<byte[], byte[]> producer;
  private long lsn = 1;

  private CommitIntervalBenchmark() {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public static void main(final String[] args) throws Exception {
    final long[] intervals = args.length == 0 ? new long[] {20, 50, 100, 200}
        : Arrays.stream(args).mapToLong(Long::parseLong).toArray();
    final CommitIntervalBenchmark bench = new CommitIntervalBenchmark();
    final List<String> lines = new ArrayList<>();
    lines.add("| commit.interval.ms / poll.ms | generation.progress p50 / p90 | credits.updated p50 / p90 "
        + "| burst of " + BURST + " job updates | burst of " + BURST + " likes → feed.counts |");
    lines.add("|---|---|---|---|---|");
    for (final long interval : intervals) {
      lines.add(bench.run(interval));
      System.out.println(lines.get(lines.size() - 1));
    }
    bench.producer.close();
    System.out.println(String.join("\n", lines));
    System.exit(0);
  }

  private String run(final long intervalMs) throws Exception {
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String schema = "bench_" + suffix;
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", bootstrap);
    env.putAll(KafkaSettings.singleBroker());
    env.put("TIDEWIRE_PROCESSOR_APP_ID", "bench-" + suffix);
    env.put("TIDEWIRE_PROCESSOR_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "bench-" + suffix).toString());
    env.put("TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS", Long.toString(intervalMs));
    env.put("TIDEWIRE_OWNED_TABLES", schema + ".generation_jobs:user_id:generation.progress");
    env.put("TIDEWIRE_FEED_TABLES", schema + ".videos:video");
    env.put("TIDEWIRE_CREDITS_BALANCE_TABLE", schema + ".users:id:credits");
    env.put("TIDEWIRE_CREDITS_TRANSACTION_TABLE", schema + ".credit_transactions:user_id:amount:reason");
    env.put("TIDEWIRE_REACTION_TABLES", schema + ".likes:like");
    // -Dtidewire.userState=false measures without the user-state fold (events one hop shorter)
    env.put("TIDEWIRE_PROCESSOR_USER_STATE", System.getProperty("tidewire.userState", "true"));
    // -Dtidewire.env.TIDEWIRE_X=V sets any other processor setting, e.g. TIDEWIRE_KAFKA_STREAMS_POLL_MS
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("tidewire.env."))
        .forEach(k -> env.put(k.substring("tidewire.env.".length()), System.getProperty(k)));
    final ProcessorConfig config = ProcessorConfig.fromEnv(env);
    try (ProcessorApp app = new ProcessorApp(config, new SimpleMeterRegistry())) {
      // start first: it creates the output topics, which a consumer must not auto-create
      app.start();
      if (!app.awaitRunning(Duration.ofMinutes(1))) {
        throw new IllegalStateException("processor did not start");
      }
      try (KafkaConsumer<String, UserEvent> users = readCommitted(Topics.USER_EVENTS.name(),
               Topics.USER_EVENTS.valueSerde().deserializer());
           KafkaConsumer<String, FeedEvent> feed = readCommitted(Topics.FEED_EVENTS.name(),
               Topics.FEED_EVENTS.valueSerde().deserializer())) {
        if (Boolean.getBoolean("tidewire.timeline") && config.userState()) {
          timeline(config, schema, suffix, users);
        }
        return measure(intervalMs, config, schema, suffix, users, feed);
      }
    }
  }

  private String measure(final long intervalMs, final ProcessorConfig config, final String schema,
      final String suffix, final KafkaConsumer<String, UserEvent> users,
      final KafkaConsumer<String, FeedEvent> feed) throws Exception {
    final String user = "u-" + suffix;
    final String job = "job-" + suffix;
    final List<Long> progress = new ArrayList<>();
    final List<Long> credits = new ArrayList<>();
    for (int i = 0; i < WARMUP + SAMPLES; i++) {
      final long t0 = System.nanoTime();
      jobUpdate(schema, user, job, i, users);
      final long t1 = System.nanoTime();
      final String tx = "tx-" + suffix + "-" + i;
      final long txId = lsn;
      send(schema + ".credit_transactions", Envelopes.idKey(tx), Envelopes.insert(schema + ".credit_transactions",
          row("id", tx, "user_id", user, "amount", -1, "reason", "bench")).lsn(lsn++).txId(txId), user);
      send(schema + ".users", Envelopes.idKey(user), Envelopes.update(schema + ".users",
          row("id", user, "credits", 1000 - i), row("id", user, "credits", 999 - i)).lsn(lsn++).txId(txId), user);
      await(users, e -> e.getData() instanceof CreditsUpdated c && tx.equals(c.getTransactionId()));
      final long t2 = System.nanoTime();
      if (i >= WARMUP) {
        progress.add(t1 - t0);
        credits.add(t2 - t1);
      }
    }
    // -Dtidewire.bursts=false measures the latency only
    final boolean bursts = Boolean.parseBoolean(System.getProperty("tidewire.bursts", "true"));
    final double jobsPerSecond = bursts ? jobBurst(schema, suffix, users) : Double.NaN;
    final double likesPerSecond = bursts ? likeBurst(schema, suffix, feed) : Double.NaN;
    return String.format("| %d / %s | %s | %s | %.0f events/s | %.0f likes/s |", intervalMs,
        System.getProperty("tidewire.env.TIDEWIRE_KAFKA_STREAMS_POLL_MS",
            Long.toString(StreamsProperties.pollMs(config))),
        percentiles(progress), percentiles(credits), jobsPerSecond, likesPerSecond);
  }

  /**
   * Where a lone job update's time goes (-Dtidewire.timeline=true, user state on): when its
   * change is written to the repartition topic (a read_uncommitted consumer sees it), committed
   * there (read_committed), written to realtime.user-events and committed there.
   */
  private void timeline(final ProcessorConfig config, final String schema, final String suffix,
      final KafkaConsumer<String, UserEvent> users) throws Exception {
    final String repartition = config.applicationId() + "-" + schema
        + ".generation_jobs.user-state-by-user-repartition";
    final InternalSerde<UserChange> serde = InternalSerde.of(UserChange.class);
    final Map<String, Long> seen = new ConcurrentHashMap<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();
    for (final String isolation : List.of("read_uncommitted", "read_committed")) {
      for (final String topic : List.of(repartition, Topics.USER_EVENTS.name())) {
        final KafkaConsumer<String, byte[]> c = atEnd(topic, isolation, new ByteArrayDeserializer());
        final String stage = (topic.equals(repartition) ? "rep-" : "ev-") + isolation;
        final Deserializer<UserEvent> avro = Topics.USER_EVENTS.valueSerde().deserializer();
        final Thread t = new Thread(() -> {
          while (running.get()) {
            for (final ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
              final long at = System.nanoTime();
              final List<UserEvent> events = topic.equals(repartition)
                  ? serde.read(r.value()).events() : List.of(avro.deserialize(topic, r.value()));
              for (final UserEvent e : events) {
                if (e.getData() instanceof GenerationProgress g) {
                  seen.putIfAbsent(stage + ":" + g.getJobId() + ":" + g.getProgress(), at);
                }
              }
            }
          }
          c.close();
        });
        t.start();
        threads.add(t);
      }
    }
    final String user = "tl-" + suffix;
    final String job = "tljob-" + suffix;
    final List<long[]> samples = new ArrayList<>();
    final List<String> stages = List.of("rep-read_uncommitted", "rep-read_committed", "ev-read_uncommitted",
        "ev-read_committed");
    // a lone change every 60 ms, a pace unrelated to the commit interval (fixed rate: a slow
    // update delays the next one instead of overlapping it)
    final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    final AtomicInteger next = new AtomicInteger();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    pacer.scheduleAtFixedRate(() -> {
      final int i = next.getAndIncrement();
      if (i >= WARMUP + SAMPLES) {
        done.complete(null);
        return;
      }
      try {
        final long t0 = System.nanoTime();
        jobUpdate(schema, user, job, i, users);
        final long end = System.nanoTime();
        final List<String> keys = stages.stream().map(stage -> stage + ":" + job + ":" + (i + 1)).toList();
        try {
          Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> seen.keySet().containsAll(keys));
        } catch (ConditionTimeoutException e) {
          return; // a watcher missed it: no sample
        }
        final long[] at = keys.stream().mapToLong(seen::get).toArray();
        if (i >= WARMUP) {
          samples.add(new long[] {at[0] - t0, at[1] - at[0], at[2] - at[1], at[3] - at[2], end - t0});
        }
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    }, 0, 60, TimeUnit.MILLISECONDS);
    try {
      done.get();
    } finally {
      pacer.shutdownNow();
    }
    running.set(false);
    for (final Thread t : threads) {
      t.join();
    }
    final String[] names = {"send → repartition written", "→ repartition committed",
        "→ user-events written", "→ user-events committed", "send → event (consumer)"};
    final StringBuilder out = new StringBuilder("timeline (" + samples.size() + " samples, p50 / p90 ms):");
    for (int j = 0; j < names.length; j++) {
      final int col = j;
      out.append(" | ").append(names[j]).append(' ').append(percentiles(samples.stream().map(x -> x[col]).toList()));
    }
    System.out.println(out);
  }

  /** Sends the job's update from progress {@code p} to {@code p + 1} and waits for its event. */
  private void jobUpdate(final String schema, final String user, final String job, final int p,
      final KafkaConsumer<String, UserEvent> users) throws Exception {
    send(schema + ".generation_jobs", Envelopes.idKey(job), Envelopes.update(schema + ".generation_jobs",
        job(user, job, p), job(user, job, p + 1)).lsn(lsn++), user);
    await(users, e -> e.getData() instanceof GenerationProgress g && g.getJobId().equals(job)
        && g.getProgress() == p + 1);
  }

  private double jobBurst(final String schema, final String suffix,
      final KafkaConsumer<String, UserEvent> users) throws Exception {
    // 100 users, so the burst spreads over every partition and task
    final String prefix = "burst-" + suffix + "-";
    final long t0 = System.nanoTime();
    for (int i = 0; i < BURST; i++) {
      final String job = "b" + i;
      final String user = prefix + (i % 100);
      producer.send(new ProducerRecord<>(Topics.cdcName(schema, "generation_jobs"), ownerPartition(user),
          Envelopes.idKey(job), Envelopes.update(schema + ".generation_jobs", job(user, job, 0), job(user, job, 1))
              .lsn(lsn++).bytes()));
    }
    producer.flush();
    final int[] seen = {0};
    await(users, e -> e.getUserId().startsWith(prefix) && e.getData() instanceof GenerationProgress
        && ++seen[0] == BURST);
    return BURST / ((System.nanoTime() - t0) / 1e9);
  }

  private double likeBurst(final String schema, final String suffix,
      final KafkaConsumer<String, FeedEvent> feed) throws Exception {
    for (int v = 0; v < VIDEOS; v++) {
      producer.send(new ProducerRecord<>(Topics.cdcName(schema, "videos"), Envelopes.idKey(video(suffix, v)),
          Envelopes.insert(schema + ".videos", row("id", video(suffix, v), "user_id", "owner", "is_public", true))
              .lsn(lsn++).bytes()));
    }
    final long t0 = System.nanoTime();
    for (int i = 0; i < BURST; i++) {
      final String liker = "liker-" + i;
      final String contentId = video(suffix, i % VIDEOS);
      producer.send(new ProducerRecord<>(Topics.cdcName(schema, "likes"),
          Envelopes.json(Map.of("user_id", liker, "content_type", "video", "content_id", contentId)),
          Envelopes.insert(schema + ".likes", row("user_id", liker, "content_type", "video",
              "content_id", contentId)).lsn(lsn++).bytes()));
    }
    producer.flush();
    final Map<String, Long> finalCounts = new HashMap<>();
    await(feed, e -> {
      if (e.getData() instanceof FeedCounts c && c.getContentId().startsWith("v-" + suffix)) {
        finalCounts.put(c.getContentId(), c.getLikes());
      }
      return finalCounts.size() == VIDEOS
          && finalCounts.values().stream().allMatch(n -> n == BURST / VIDEOS);
    });
    return BURST / ((System.nanoTime() - t0) / 1e9);
  }

  private static String video(final String suffix, final int v) {
    return "v-" + suffix + "-" + v;
  }

  private static Map<String, Object> job(final String user, final String id, final int progress) {
    return row("id", id, "user_id", user, "kind", "image", "status", "active", "progress", progress);
  }

  /** Sends a change of a user-owned table to its owner's partition, as the capture does. */
  private void send(final String table, final byte[] key, final Envelopes value, final String owner)
      throws Exception {
    final String[] parts = table.split("\\.");
    producer.send(new ProducerRecord<>(Topics.cdcName(parts[0], parts[1]), ownerPartition(owner), key,
        value.bytes())).get();
  }

  /**
   * The owner's partition ({@code TIDEWIRE_CAPTURE_PARTITION_BY}), or the producer's choice by key
   * with {@code -Dtidewire.byOwner=false} (a capture that does not partition by owner).
   */
  private Integer ownerPartition(final String owner) {
    return Boolean.parseBoolean(System.getProperty("tidewire.byOwner", "true"))
        ? Topics.partitionOf(owner, KafkaSettings.DEFAULT_TOPIC_PARTITIONS) : null;
  }

  private static <V> void await(final KafkaConsumer<String, V> consumer, final Predicate<V> done)
      throws TimeoutException {
    final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      for (final ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(1))) {
        if (done.test(record.value())) {
          return;
        }
      }
    }
    throw new TimeoutException("no matching event within 2 minutes");
  }

  private <V> KafkaConsumer<String, V> readCommitted(final String topic, final Deserializer<V> values) {
    return atEnd(topic, "read_committed", values);
  }

  /** A consumer of every partition of {@code topic}, positioned at its end. */
  private <V> KafkaConsumer<String, V> atEnd(final String topic, final String isolation,
      final Deserializer<V> values) {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    final KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
    final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    return consumer;
  }

  private static String percentiles(final List<Long> nanos) {
    final long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format("%d / %d ms", sorted[sorted.length / 2] / 1_000_000,
        sorted[(int) (sorted.length * 0.9)] / 1_000_000);
  }
}
