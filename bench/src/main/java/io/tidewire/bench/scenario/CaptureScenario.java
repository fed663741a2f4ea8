package io.tidewire.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.bench.BenchStack;
import io.tidewire.bench.BenchUsers;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.CaptureAckMetric;
import io.tidewire.bench.load.CaptureBulkWriter;
import io.tidewire.bench.load.JobUpdates;
import io.tidewire.bench.load.TopicWatch;
import io.tidewire.bench.stats.CpuWindow;
import io.tidewire.bench.stats.LatencySummary;
import io.tidewire.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium alone (processor and gateway stopped): commit → change visible in
 * {@code cdc.public.generation_jobs} at a fixed rate of single-row updates, and the rate at which
 * a bulk of {@code generation_jobs} changes written as fast as PostgreSQL takes them becomes
 * visible there.
 */
public final class CaptureScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(CaptureScenario.class);
  private static final String TOPIC = Topics.cdcName("public", "generation_jobs");
  private static final int LATENCY_USERS = 100;
  private static final int JOBS_PER_USER = 2;
  private static final int BULK_USERS = 500;
  private static final int BULK_WRITERS = 4;
  private static final int BULK_TRANSACTION = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "capture";
  }

  @Override
  public String description() {
    return "Debezium alone: commit -> Kafka ack, changes/s";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.of(BenchStack.Part.CAPTURE);
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final Duration warmup = Duration.ofMillis(Math.min(5_000,
        sizes.captureDuration().toMillis() / 4));
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "capture alone: PostgreSQL commit → change visible in Kafka")
        .method("Only the capture runs (Debezium embedded engine, `pgoutput`; processor and "
            + "gateway stopped). A `read_committed` consumer in the bench JVM, without a group, "
            + "tails `" + TOPIC + "` from the end offsets taken before writing. **latency**: one "
            + "autocommit `UPDATE generation_jobs SET progress = …` per change at a fixed rate ("
            + LATENCY_USERS * JOBS_PER_USER + " active jobs, " + warmup.toMillis()
            + " ms warm-up not counted); each change is matched by the envelope's `after.id` and "
            + "`after.progress`. Latency runs from the update's scheduled time (corrected for "
            + "coordinated omission) and, *raw*, from the commit's return, to the poll that "
            + "returned its record. This is commit → **visible to a consumer** = the capture's "
            + "commit → Kafka ack plus the consumer's fetch; the capture's own commit → ack is "
            + "its `tidewire.capture.commit.to.ack` metric (PostgreSQL's commit timestamp → "
            + "broker ack, a histogram read from the capture's /metrics before and after the "
            + "window: *ack* columns, percentiles are bucket upper bounds). **bulk**: "
            + BULK_WRITERS + " JDBC writers commit transactions of " + BULK_TRANSACTION
            + " changes (half "
            + "`INSERT … SELECT FROM unnest(…)` of new jobs, half `UPDATE … WHERE id = ANY(…)` of "
            + "the writer's previous batch; REPLICA IDENTITY FULL, so updates carry the old row) "
            + "as fast as PostgreSQL takes them, after an unreported bulk of a quarter the size "
            + "that warms the capture up. *PG writes/s* = changes / (first statement → "
            + "last commit); *visible/s* = changes / (first commit → last change visible); "
            + "*drain* = last commit → last change visible (what the capture still had to do "
            + "when PostgreSQL was done). CPU in cores over the measured window (capture JVM, all "
            + "PostgreSQL processes; everything in the JSON).")
        .setting("latency rate/s", sizes.captureRate())
        .setting("latency measured s", sizes.captureDuration().toSeconds())
        .setting("bulk changes", sizes.captureChanges())
        .setting("bulk writers", BULK_WRITERS)
        .setting("bulk changes per transaction", BULK_TRANSACTION)
        .columns("run", "changes", "target/s", "PG writes/s", "visible/s", "missing",
            "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "raw p50 ms", "raw p99 ms",
            "drain ms", "ack mean ms", "ack p50 ms", "ack p99 ms", "capture CPU",
            "postgres CPU");

    latency(stack, sizes, warmup, result);
    LOG.info("[capture] bulk warm-up (not in the table)");
    bulk(stack, sizes.captureChanges() / 4, false, result);
    bulk(stack, sizes.captureChanges(), true, result);
    result.note("The capture's poll interval (`TIDEWIRE_CAPTURE_POLL_INTERVAL_MS`, default 5 ms) "
        + "and Debezium's batch and queue sizes (`TIDEWIRE_DEBEZIUM_MAX_BATCH_SIZE`, "
        + "`…_MAX_QUEUE_SIZE`) bound both figures; the Kafka broker runs in the bench JVM on the "
        + "same two cores (its CPU is under `bench-jvm` in the JSON).");
    result.detail("postgres", stack.postgresSettings());
    return result.build();
  }

  private static void latency(final BenchStack stack, final Sizes sizes, final Duration warmup,
      final ScenarioResult.Builder result) throws Exception {
    final String tag = "cap" + Long.toHexString(System.nanoTime());
    final List<String> users = BenchUsers.create(stack.db(), LATENCY_USERS, tag);
    final List<String> jobs = BenchUsers.activeJobs(stack.db(), users, JOBS_PER_USER);
    final JobUpdates updates = new JobUpdates(stack.db(), "generation_jobs", jobs);
    final int rate = sizes.captureRate();
    final int writers = Math.max(2, Math.min(8, rate / 500 + 1));
    try (TopicWatch watch = new TopicWatch(stack.kafkaBootstrap(), TOPIC, (record, at) -> {
      if (record.value() == null) {
        return;
      }
      try {
        final JsonNode after = JSON.readTree(record.value()).path("after");
        if (after.hasNonNull("id") && after.hasNonNull("progress")) {
          updates.received(after.get("id").asText(), after.get("progress").asInt(), at);
        }
      } catch (IOException e) {
        LOG.warn("[capture] unreadable envelope at offset {}: {}", record.offset(), e.toString());
      }
    })) {
      LOG.info("[capture] latency at {}/s: warming up {} ms", rate, warmup.toMillis());
      updates.run(rate, warmup, writers);
      updates.awaitDrained(Duration.ofSeconds(10));
      final Optional<CaptureAckMetric> ack = CaptureAckMetric.of(stack);
      final Optional<CaptureAckMetric.Reading> ackBefore = ack.flatMap(CaptureAckMetric::read);
      final CpuWindow cpu = CpuWindow.start(stack::cpuNanos);
      final JobUpdates.Outcome outcome = updates.run(rate, sizes.captureDuration(), writers);
      final Map<String, Double> cores = cpu.cores();
      final int missing = updates.awaitDrained(Duration.ofSeconds(15));
      final Optional<CaptureAckMetric.Window> acks = window(ack, ackBefore);
      final LatencySummary c = outcome.latency().corrected();
      final LatencySummary raw = outcome.latency().raw();
      LOG.info("[capture] latency at {}/s: p50 {} ms, p99 {} ms, raw p50 {} ms, {} missing", rate,
          c.p50(), c.p99(), raw.p50(), missing);
      result.row("latency", outcome.sent(), rate, outcome.achievedPerSecond(),
          c.count() / (double) sizes.captureDuration().toSeconds(), missing, c.p50(), c.p95(),
          c.p99(), c.p999(), c.max(), raw.p50(), raw.p99(), "–", ackMean(acks), ackP50(acks),
          ackP99(acks), cores.getOrDefault("capture", Double.NaN),
          cores.getOrDefault("postgres", Double.NaN));
      result.detail("latencyCpuCores", cores);
      acks.ifPresent(a -> result.detail("latencyCaptureCommitToAck", a));
      result.detail("latencyRaw", raw);
      result.detail("latencyCorrected", c);
    }
  }

  /**
   * One bulk run of {@code changes}; {@code report}: a row and notes, else only a detail (the
   * warm-up).
   */
  private static void bulk(final BenchStack stack, final long changes, final boolean report,
      final ScenarioResult.Builder result) throws Exception {
    final String tag = "capb" + Long.toHexString(System.nanoTime());
    final List<String> users = BenchUsers.create(stack.db(), BULK_USERS, tag);
    final AtomicLong visible = new AtomicLong();
    final AtomicLong lastVisible = new AtomicLong();
    final AtomicLong firstVisible = new AtomicLong();
    final List<Long> perSecond = new ArrayList<>();
    final Map<String, Object> bulk = new LinkedHashMap<>();
    try (TopicWatch watch = new TopicWatch(stack.kafkaBootstrap(), TOPIC, (record, at) -> {
      if (record.value() != null) {
        firstVisible.compareAndSet(0, at);
        visible.incrementAndGet();
        lastVisible.set(at);
      }
    })) {
      final CaptureBulkWriter writer = new CaptureBulkWriter(stack.db(), users);
      final Optional<CaptureAckMetric> ack = CaptureAckMetric.of(stack);
      final Optional<CaptureAckMetric.Reading> ackBefore = ack.flatMap(CaptureAckMetric::read);
      final CpuWindow cpu = CpuWindow.start(stack::cpuNanos);
      LOG.info("[capture] bulk: writing {} changes", changes);
      final Thread sampler = sampler(visible, perSecond);
      final CaptureBulkWriter.Written written = writer.write(changes, BULK_WRITERS,
          BULK_TRANSACTION);
      final long visibleAtLastCommit = visible.get();
      LOG.info("[capture] bulk: PostgreSQL took {} changes/s; {} visible at the last commit",
          Math.round(written.perSecond()), visibleAtLastCommit);
      final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + changes / 1_000);
      while (visible.get() < changes && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      final Map<String, Double> cores = cpu.cores();
      final Optional<CaptureAckMetric.Window> acks = window(ack, ackBefore);
      sampler.interrupt();
      sampler.join();
      final long seen = visible.get();
      final boolean complete = seen >= changes;
      final double visibleSeconds = (lastVisible.get() - written.firstCommitNanos()) / 1e9;
      final double drainMs = (lastVisible.get() - written.lastCommitNanos()) / 1e6;
      LOG.info("[capture] bulk: {} of {} visible, {} changes/s, drain {} ms", seen, changes,
          Math.round(seen / visibleSeconds), Math.round(drainMs));
      bulk.put("transactions", written.transactions());
      bulk.put("visibleAtLastCommit", visibleAtLastCommit);
      bulk.put("firstVisibleAfterFirstCommitMs",
          Math.round((firstVisible.get() - written.firstCommitNanos()) / 1e5) / 10.0);
      bulk.put("pgSeconds", Math.round((written.lastCommitNanos() - written.startNanos()) / 1e7)
          / 100.0);
      bulk.put("visibleSeconds", Math.round(visibleSeconds * 100) / 100.0);
      bulk.put("visiblePerSecondSeries", List.copyOf(perSecond));
      bulk.put("cpuCores", cores);
      acks.ifPresent(a -> bulk.put("captureCommitToAck", a));
      result.detail(report ? "bulk" : "bulkWarmup", bulk);
      if (!report) {
        return;
      }
      result.row("bulk", changes, "max", written.perSecond(),
          complete ? changes / visibleSeconds : Double.NaN, Math.max(0, changes - seen), "–",
          "–", "–", "–", "–", "–", "–", complete ? drainMs : Double.NaN, ackMean(acks),
          ackP50(acks), ackP99(acks), cores.getOrDefault("capture", Double.NaN),
          cores.getOrDefault("postgres", Double.NaN));
      if (complete && written.perSecond() > 1.2 * changes / visibleSeconds) {
        result.note(String.format(Locale.ROOT, "Bulk: the capture limits, not "
            + "PostgreSQL: PostgreSQL took %,.0f changes/s, the capture made them visible at "
            + "%,.0f/s and needed %,.0f ms after the last commit to drain, using %.2f cores. "
            + "It hands Kafka one Debezium batch at a time and waits for all its acks before "
            + "taking the next; the per-second series is in the JSON.",
            written.perSecond(), changes / visibleSeconds, drainMs,
            cores.getOrDefault("capture", Double.NaN)));
      }
      if (!complete) {
        result.note("Bulk: only " + seen + " of " + changes + " changes became visible in time.");
      }
    }
  }

  private static Optional<CaptureAckMetric.Window> window(final Optional<CaptureAckMetric> ack,
      final Optional<CaptureAckMetric.Reading> before) {
    if (ack.isEmpty() || before.isEmpty()) {
      return Optional.empty();
    }
    return ack.get().read().flatMap(after -> CaptureAckMetric.between(before.get(), after));
  }

  private static Object ackMean(final Optional<CaptureAckMetric.Window> w) {
    return w.map(a -> (Object) a.meanMs()).orElse(Double.NaN);
  }

  private static Object ackP50(final Optional<CaptureAckMetric.Window> w) {
    return w.map(a -> (Object) a.p50Ms()).orElse(Double.NaN);
  }

  private static Object ackP99(final Optional<CaptureAckMetric.Window> w) {
    return w.map(a -> (Object) a.p99Ms()).orElse(Double.NaN);
  }

  /** Samples how many changes became visible in each second, until interrupted. */
  private static Thread sampler(final AtomicLong visible, final List<Long> perSecond) {
    final Thread t = new Thread(() -> {
      long before = visible.get();
      long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      try {
        while (true) {
          TimeUnit.NANOSECONDS.sleep(next - System.nanoTime());
          next += TimeUnit.SECONDS.toNanos(1);
          final long now = visible.get();
          synchronized (perSecond) {
            perSecond.add(now - before);
          }
          before = now;
        }
      } catch (InterruptedException e) {
        // done
      }
    }, "bench-capture-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
