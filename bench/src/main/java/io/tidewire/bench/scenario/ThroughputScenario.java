package io.tidewire.bench.scenario;

import io.tidewire.bench.BenchStack;
import io.tidewire.bench.BenchUsers;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.JobUpdates;
import io.tidewire.bench.load.LagProbe;
import io.tidewire.bench.load.Fleet;
import io.tidewire.bench.load.WsFleet;
import io.tidewire.bench.stats.CpuWindow;
import io.tidewire.bench.stats.JfrProfile;
import io.tidewire.bench.stats.LatencySummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The highest change rate the whole pipeline sustains: a stepped search over fixed rates, the
 * best rate held for a minute, and a JFR profile of every part at the first rate that was not
 * sustained.
 */
public final class ThroughputScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(ThroughputScenario.class);
  private static final int JOBS_PER_USER = 2;
  private static final int BATCH = 50;
  /** Most growth of the in-flight count, per second, as a share of the rate, for "sustained". */
  private static final double MAX_GROWTH = 0.02;
  private static final long QUIET_RECORDS = 100;
  private static final Duration JFR_SETTLE = Duration.ofSeconds(5);
  private static final long QUIET_SLOT_BYTES = 1 << 20;

  @Override
  public String name() {
    return "throughput";
  }

  @Override
  public String description() {
    return "the highest change rate the pipeline sustains, with a JFR profile";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.allOf(BenchStack.Part.class);
  }

  /** One run at one rate, with its per-second lag series. */
  private record Step(int rate, JobUpdates.Outcome outcome, LatencySummary latency, int missing,
      long lateInFlight, boolean sustained, Map<String, Double> cpu, List<Map<String, Long>> series) {}

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "highest change rate sustained end to end")
        .method("`generation_jobs` progress updates committed " + BATCH + " per transaction "
            + "(JDBC batches from 4 writers) at fixed rates, spread over "
            + sizes.throughputUsers() + " users × " + JOBS_PER_USER + " jobs, a WebSocket "
            + "client per user. Each rate runs " + sizes.throughputStep().toSeconds() + " s; it "
            + "is *sustained* when the writers achieve ≥ 95 % of it, every change reaches its "
            + "client, and the changes in flight (committed, not yet received) neither exceed one "
            + "second's worth over the last quarter of the run nor grow, over its second half, "
            + "by more than 2 % of the rate per second (least-squares slope) — lag that does not "
            + "grow. Every run starts from a drained pipeline (processor lag ≤ 100 records, slot "
            + "lag ≤ 1 MiB). The "
            + "search stops at the first rate that is not sustained; the best rate then runs "
            + sizes.throughputSustain().toSeconds() + " s (if it does not hold that long, the "
            + "next lower sustained rate gets the same chance). Then the first rate that was not "
            + "sustained runs once more with every part recording JFR (default settings, started "
            + "with `jcmd` so nothing restarts; not used for the verdict: JFR costs CPU), whose "
            + "execution samples say where the CPU goes when the pipeline is saturated. Lags are "
            + "sampled every second: capture = WAL bytes behind the replication slot's "
            + "confirmed position (moves at the capture's offset flushes), processor = records "
            + "its consumer group has not committed, clients = changes in flight.")
        .setting("users", sizes.throughputUsers())
        .setting("batch", BATCH)
        .columns("run", "rate/s", "achieved/s", "delivered", "missing", "p50 ms", "p99 ms",
            "max ms", "in flight (last ¼)", "max processor lag", "sustained", "CPU cores");

    final String tag = "thr" + Long.toHexString(System.nanoTime());
    final List<String> users = BenchUsers.create(stack.db(), sizes.throughputUsers(), tag);
    final List<String> jobs = BenchUsers.activeJobs(stack.db(), users, JOBS_PER_USER);
    final JobUpdates updates = new JobUpdates(stack.db(), "generation_jobs", jobs);
    final Map<String, Object> series = new LinkedHashMap<>();
    final Map<String, Object> cpu = new LinkedHashMap<>();
    final List<Step> steps = new ArrayList<>();
    try (Fleet fleet = openFleet(stack, users, updates);
        LagProbe lag = new LagProbe(stack.db(), stack.kafkaBootstrap(),
            stack.captureSlot(), stack.processorGroup())) {
      // warm-up: JIT, connections, first transactions
      updates.run(Math.min(1_000, sizes.throughputRates().get(0)), Duration.ofSeconds(
          Math.min(5, sizes.throughputStep().toSeconds())), 4, BATCH);
      updates.awaitDrained(Duration.ofSeconds(30));
      for (final int rate : sizes.throughputRates()) {
        awaitQuiet(lag);
        final Step step = step(stack, updates, lag, rate, sizes.throughputStep());
        row(result, "step", step);
        series.put("step@" + rate, step.series());
        cpu.put("step@" + rate, step.cpu());
        steps.add(step);
        if (!step.sustained()) {
          break;
        }
      }
      final List<Integer> candidates = sustainedRates(steps);
      boolean held = false;
      for (int i = candidates.size() - 1; i >= 0 && i >= candidates.size() - 2 && !held; i--) {
        final int rate = candidates.get(i);
        LOG.info("[throughput] holding {}/s for {} s", rate, sizes.throughputSustain().toSeconds());
        awaitQuiet(lag);
        final Step hold = step(stack, updates, lag, rate, sizes.throughputSustain());
        row(result, "hold", hold);
        series.put("hold@" + rate, hold.series());
        cpu.put("hold@" + rate, hold.cpu());
        held = hold.sustained();
        result.note(String.format("%s %,d changes/s end to end for %d s.",
            held ? "Sustained:" : "Not held:", rate, sizes.throughputSustain().toSeconds()));
      }
      if (candidates.isEmpty()) {
        result.note("Not even the lowest rate was sustained.");
      }
      // the profile: at the first rate that was not sustained, where something is saturated
      final int saturated = steps.stream().filter(st -> !st.sustained()).map(Step::rate)
          .findFirst().orElse(steps.get(steps.size() - 1).rate());
      LOG.info("[throughput] profiling every part with JFR at {}/s for {} s", saturated,
          sizes.throughputStep().toSeconds());
      awaitQuiet(lag);
      stack.startProfiling();
      // starting JFR pauses a JVM for a moment (class loading, safepoints): let that pass first
      Thread.sleep(JFR_SETTLE.toMillis());
      awaitQuiet(lag);
      final Step profiled = step(stack, updates, lag, saturated, sizes.throughputStep());
      final Map<BenchStack.Part, Path> recordings = stack.stopProfiling();
      row(result, "profiled", profiled);
      series.put("profiled@" + saturated, profiled.series());
      cpu.put("profiled@" + saturated, profiled.cpu());
      profileNotes(result, profiled, recordings);
    }
    result.detail("lagSeries", series);
    result.detail("cpuCoresByProcess", cpu);
    return result.build();
  }

  private static Fleet openFleet(final BenchStack stack, final List<String> users,
      final JobUpdates updates) throws InterruptedException {
    final Fleet fleet = new WsFleet(stack.gateway(), (connection, frame, at) -> {
      final Optional<String> job = frame.text("data", "jobId");
      final OptionalLong progress = frame.number("data", "progress");
      if (job.isPresent() && progress.isPresent()) {
        updates.received(job.get(), (int) progress.getAsLong(), at);
      }
    }, 2);
    final List<Fleet.Subscription> subs = new ArrayList<>();
    for (final String user : users) {
      subs.add(new Fleet.Subscription(stack.token(user), "user", Optional.empty()));
    }
    fleet.open(subs, 100, Duration.ofMinutes(2));
    return fleet;
  }

  private static Step step(final BenchStack stack, final JobUpdates updates, final LagProbe lag,
      final int rate, final Duration duration) throws InterruptedException {
    LOG.info("[throughput] {}/s for {} s", rate, duration.toSeconds());
    final List<Map<String, Long>> series = new ArrayList<>();
    final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      final Thread t = new Thread(r, "bench-lag-sampler");
      t.setDaemon(true);
      return t;
    });
    final long start = System.nanoTime();
    sampler.scheduleAtFixedRate(() -> {
      final Map<String, Long> sample = new LinkedHashMap<>();
      sample.put("ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      sample.put("inFlight", updates.inFlight());
      sample.put("slotLagBytes", lag.slotLagBytes());
      sample.put("processorLag", lag.groupLagRecords());
      synchronized (series) {
        series.add(sample);
      }
    }, 1, 1, TimeUnit.SECONDS);
    final CpuWindow cpu = CpuWindow.start(stack::cpuNanos);
    final JobUpdates.Outcome outcome = updates.run(rate, duration, 4, BATCH);
    final Map<String, Double> cores = cpu.cores();
    sampler.shutdownNow();
    final int missing = updates.awaitDrained(Duration.ofSeconds(30));
    final List<Map<String, Long>> samples;
    synchronized (series) {
      samples = List.copyOf(series);
    }
    final long lateInFlight = lastQuarterMean(samples, duration);
    final double growth = secondHalfGrowth(samples, duration);
    final boolean sustained = outcome.achievedPerSecond() >= 0.95 * rate && missing == 0
        && lateInFlight <= rate && growth <= MAX_GROWTH * rate;
    final Step step = new Step(rate, outcome, outcome.latency().corrected(), missing,
        lateInFlight, sustained, cores, samples);
    LOG.info("[throughput] {}/s: achieved {}/s, p99 {} ms, in flight {}, missing {} -> {}", rate,
        Math.round(outcome.achievedPerSecond()), step.latency().p99(), lateInFlight, missing,
        sustained ? "sustained" : "NOT sustained");
    return step;
  }

  /**
   * Waits until the pipeline has worked off what earlier runs left behind (the processor's
   * consumer lag and the replication slot's lag are small twice in a row), so that every run
   * starts from an empty pipeline; gives up after five minutes.
   */
  private static void awaitQuiet(final LagProbe lag) throws InterruptedException {
    final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    int quiet = 0;
    while (quiet < 2 && System.nanoTime() < deadline) {
      final long processor = lag.groupLagRecords();
      final long slot = lag.slotLagBytes();
      quiet = processor >= 0 && processor <= QUIET_RECORDS && slot <= QUIET_SLOT_BYTES
          ? quiet + 1 : 0;
      if (quiet < 2) {
        LOG.debug("[throughput] waiting for the pipeline to drain: processor lag {}, slot {}",
            processor, slot);
        Thread.sleep(500);
      }
    }
    if (quiet < 2) {
      LOG.warn("[throughput] the pipeline did not drain within 5 minutes; measuring anyway");
    }
  }

  /** The rates whose step was sustained, in the order tried (ascending). */
  static List<Integer> sustainedRates(final List<Step> steps) {
    return steps.stream().filter(Step::sustained).map(Step::rate).toList();
  }

  /**
   * How fast the in-flight count grew over the second half of the run, in changes per second
   * (least-squares slope); 0 with fewer than two samples.
   */
  static double secondHalfGrowth(final List<Map<String, Long>> samples, final Duration duration) {
    final long from = duration.toMillis() / 2;
    final List<Map<String, Long>> half = samples.stream().filter(s -> s.get("ms") >= from).toList();
    if (half.size() < 2) {
      return 0;
    }
    final double meanX = half.stream().mapToDouble(s -> s.get("ms") / 1000.0).average().orElse(0);
    final double meanY = half.stream().mapToDouble(s -> s.get("inFlight")).average().orElse(0);
    double num = 0;
    double den = 0;
    for (final Map<String, Long> s : half) {
      final double dx = s.get("ms") / 1000.0 - meanX;
      num += dx * (s.get("inFlight") - meanY);
      den += dx * dx;
    }
    return den == 0 ? 0 : num / den;
  }

  /** Mean in-flight count of the samples in the last quarter of the run. */
  static long lastQuarterMean(final List<Map<String, Long>> samples, final Duration duration) {
    final long from = duration.toMillis() * 3 / 4;
    return Math.round(samples.stream().filter(s -> s.get("ms") >= from)
        .mapToLong(s -> s.get("inFlight")).average().orElse(0));
  }

  private static void row(final ScenarioResult.Builder result, final String run, final Step s) {
    final long maxLag = s.series().stream().mapToLong(m -> m.get("processorLag")).max().orElse(-1);
    result.row(run, s.rate(), s.outcome().achievedPerSecond(), s.latency().count(), s.missing(),
        s.latency().p50(), s.latency().p99(), s.latency().max(), s.lateInFlight(), maxLag,
        s.sustained() ? "yes" : "no", s.cpu().getOrDefault("total", Double.NaN));
  }

  private static void profileNotes(final ScenarioResult.Builder result, final Step hold,
      final Map<BenchStack.Part, Path> recordings) {
    final StringBuilder cores = new StringBuilder("CPU while profiled (cores): ");
    hold.cpu().forEach((k, v) -> cores.append(k).append(' ').append(v).append(", "));
    result.note(cores.substring(0, cores.length() - 2) + ".");
    final Map<String, Object> profiles = new LinkedHashMap<>();
    for (final Map.Entry<BenchStack.Part, Path> e : recordings.entrySet()) {
      try {
        final JfrProfile.Summary p = JfrProfile.summarize(e.getValue(), 8);
        profiles.put(BenchStack.name(e.getKey()), p);
        result.note("JFR " + BenchStack.name(e.getKey()) + " (" + p.samples()
            + " samples) by code area: " + format(p.topAreas(), 4) + "; top methods: "
            + format(p.topMethods(), 3) + ".");
      } catch (Exception ex) {
        result.note("JFR " + BenchStack.name(e.getKey()) + ": cannot read " + e.getValue()
            + " (" + ex.getMessage() + ")");
      }
    }
    result.detail("profiles", profiles);
  }

  private static String format(final Map<String, Double> shares, final int n) {
    final List<String> parts = new ArrayList<>();
    shares.entrySet().stream().limit(n)
        .forEach(e -> parts.add("`" + e.getKey() + "` " + e.getValue() + " %"));
    return String.join(", ", parts);
  }
}
