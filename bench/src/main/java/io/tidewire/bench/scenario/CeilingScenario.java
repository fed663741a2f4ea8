package io.tidewire.bench.scenario;

import io.tidewire.bench.BenchStack;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.FanoutNioFleet;
import io.tidewire.bench.load.Fleet;
import io.tidewire.bench.load.TailFlood;
import io.tidewire.bench.stats.CpuWindow;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumption ceiling of one gateway: every gateway tails every partition of
 * {@code realtime.user-events}, so the records per second one gateway can read and dispatch bound
 * the whole deployment's event rate, however many gateways there are. Only the gateway runs;
 * pre-encoded user events are produced straight to the topic, first as fast as the producer goes
 * (a burst), then at a fixed rate below what the burst reached (a hold), with N idle connections
 * and a share of the events addressed to them (0 %: no event has a local subscriber).
 */
public final class CeilingScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(CeilingScenario.class);
  private static final int FLEET_THREADS = 2;
  private static final int OPEN_CONCURRENCY = 200;
  private static final Duration SAMPLE = Duration.ofMillis(200);
  private static final Duration QUIET = Duration.ofSeconds(10);
  private static final Duration MAX_DRAIN = Duration.ofSeconds(120);
  private static final double HOLD_FRACTION = 0.7;
  private static final String READ_METER = "tidewire_gateway_records_read_total";
  private static final String READ_LABEL = "topic=\"" + Topics.USER_EVENTS.name() + "\"";

  @Override
  public String name() {
    return "ceiling";
  }

  @Override
  public String description() {
    return "one gateway's consumption ceiling on realtime.user-events: records/s, tail lag";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.of(BenchStack.Part.GATEWAY);
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final int n = sizes.ceilingConnections();
    final long records = sizes.ceilingRecords();
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "one gateway's consumption ceiling on realtime.user-events")
        .method("Only the gateway runs (a child JVM). Every gateway tails every partition of "
            + "`realtime.user-events` on one thread and decodes every record, so the records per "
            + "second one gateway reads and dispatches bound the event rate of a whole "
            + "deployment. " + n + " WebSocket clients (the NIO client of the fanout scenario, "
            + FLEET_THREADS + " threads) connect as " + n + " users and subscribe to their user "
            + "channel, then stay idle. The bench JVM encodes " + TailFlood.class.getSimpleName()
            + "'s pool of 65,536 `generation.progress` UserEvents (Avro, as the processor writes "
            + "them, uncompressed, key = user id) before the clock starts; *to subscribers* is "
            + "the share addressed to the connected users, the rest to 50,000 users nobody "
            + "connected as. **burst**: " + String.format(Locale.ROOT, "%,d", records) + " records produced as fast as a KafkaProducer "
            + "takes them (acks=1, linger 5 ms, 256 KiB batches); **hold**: a fixed rate of "
            + Math.round(HOLD_FRACTION * 100) + " % of the burst's consumed/s (rounded down to "
            + "1,000) for " + sizes.ceilingHold().toSeconds() + " s. Each share first runs an "
            + "unreported burst (JIT warm-up): the full size before the first, a tenth before "
            + "the others. The gateway's "
            + "`tidewire.gateway.records.read{topic=realtime.user-events}` is scraped every "
            + SAMPLE.toMillis() + " ms: *tail lag* = records acknowledged by the broker − "
            + "records the gateway's tail read (both since the run began). *consumed/s* = "
            + "records / (first send → the tail read the last one, interpolated between "
            + "samples); *after producer* = the same rate from the producer's last ack on "
            + "(the gateway alone with the broker, when more than 5 % was left); *peak 1 s* = "
            + "the best one-second window. *drain ms* = producer's last ack → tail read the last "
            + "record. *delivered* = event frames the clients received (expected: the records "
            + "addressed to them). *gateway cores* and *bench JVM cores* (the Kafka broker, the "
            + "producer and the clients) over first send → drained, from /proc; *records per "
            + "gateway core-s* = records / the gateway's CPU seconds. A hold is *sustained* when "
            + "the tail lag stayed under one second's worth of the rate over the last quarter and "
            + "the tail drained within a second of the producer's last ack.")
        .setting("connections", n)
        .setting("burst records", records)
        .setting("to subscribers %", sizes.ceilingSharesPercent())
        .setting("hold s", sizes.ceilingHold().toSeconds())
        .setting("topic partitions", "as created by the gateway (TIDEWIRE_TOPIC_PARTITIONS)")
        .columns("to subscribers", "run", "rate/s", "records", "produced/s", "consumed/s",
            "after producer /s", "peak 1 s /s", "max tail lag", "drain ms", "delivered",
            "missing", "gateway cores", "records per gateway core-s", "bench JVM cores",
            "sustained");

    final List<String> users = new ArrayList<>(n);
    final List<Fleet.Subscription> subscriptions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      final String user = UUID.randomUUID().toString();
      users.add(user);
      subscriptions.add(new Fleet.Subscription(stack.token(user), "user", Optional.empty()));
    }
    final Map<String, Object> series = new LinkedHashMap<>();
    final FanoutNioFleet fleet = new FanoutNioFleet(stack.gateway(), (c, f, at) -> { }, FLEET_THREADS);
    try {
      fleet.open(subscriptions, OPEN_CONCURRENCY, Duration.ofSeconds(Math.max(120, n / 50)));
      LOG.info("[ceiling] {} clients subscribed", n);
      final Map<String, Object> idleHeap = new LinkedHashMap<>();
      stack.heapAfterGc(BenchStack.Part.GATEWAY).ifPresent(h -> idleHeap.put("withClients", h));
      result.detail("gatewayHeapBytes", idleHeap);
      for (final int percent : sizes.ceilingSharesPercent()) {
        final TailFlood.Mix mix = new TailFlood.Mix(users, percent / 100.0);
        try (TailFlood flood = new TailFlood(stack.kafkaBootstrap(), mix)) {
          // the first share warms the JIT of the gateway, the broker and the producer up
          final long warm = series.isEmpty() ? records : Math.max(1, records / 10);
          measure(stack, fleet, flood, () -> flood.burst(warm), warm);
          final Measured burst = measure(stack, fleet, flood, () -> flood.burst(records), records);
          row(result, percent, "burst", "max", burst, Optional.empty());
          series.put(percent + "% burst", burst.samples());
          final long rate = Math.max(1_000,
              (long) (burst.consumedPerSecond() * HOLD_FRACTION / 1_000) * 1_000);
          final long holdRecords = Math.max(1, Math.round(rate * sizes.ceilingHold().toNanos()
              / 1e9));
          final Measured hold = measure(stack, fleet, flood,
              () -> flood.paced(rate, sizes.ceilingHold()), holdRecords);
          row(result, percent, "hold", rate, hold,
              Optional.of(sustained(hold, rate)));
          series.put(percent + "% hold", hold.samples());
        }
      }
    } finally {
      fleet.close();
    }
    result.detail("seriesMillisReadAcked", series);
    result.note("Everything shares this machine's cores with other work (the Kafka broker and "
        + "the producer run in the bench JVM, and other jobs may run on the box): the figures "
        + "are whole-box figures, noisy from run to run; *records per gateway core-s* is the "
        + "steadiest of them.");
    result.note("The tail decodes every record's Avro value before it looks for a local "
        + "subscriber (the key is the user id, but the value's `userId` is what routes), so a "
        + "record nobody here listens to costs a full decode; records with a subscriber add the "
        + "frame's JSON encoding, its cursor's MAC and a socket write.");
    return result.build();
  }

  private static void row(final ScenarioResult.Builder result, final int percent,
      final String run, final Object rate, final Measured m, final Optional<Boolean> sustained) {
    result.row(percent + " %", run, rate, m.records(), Math.round(m.producedPerSecond()),
        Math.round(m.consumedPerSecond()),
        m.afterProducerPerSecond() > 0 ? (Object) Math.round(m.afterProducerPerSecond()) : "–",
        Math.round(m.peakPerSecond()), m.maxLag(), Math.round(m.drainMillis()), m.delivered(),
        m.expected() - m.delivered(), m.gatewayCores(),
        m.gatewayCpuSeconds() > 0 ? Math.round(m.read() / m.gatewayCpuSeconds()) : -1,
        m.benchCores(), sustained.map(s -> s ? "yes" : "no").orElse("–"));
  }

  /** One sample: ms since the run began, records the tail read, records the broker acked. */
  record Sample(long millis, long read, long acked) {}

  record Measured(long records, long read, double producedPerSecond, double consumedPerSecond,
      double afterProducerPerSecond, double peakPerSecond, long maxLag, double drainMillis,
      double producedMillis, long expected, long delivered, double gatewayCores,
      double gatewayCpuSeconds, double benchCores, List<long[]> samples, List<Sample> raw) {}

  private Measured measure(final BenchStack stack, final Fleet fleet, final TailFlood flood,
      final Supplier<TailFlood.Produced> produce, final long records) throws InterruptedException {
    final LongSupplier readNow = () -> stack.meter(BenchStack.Part.GATEWAY, READ_METER,
        READ_LABEL).orElse(-1L);
    final long read0 = readNow.getAsLong();
    final long acked0 = flood.acked();
    final long frames0 = fleet.frames();
    final long expected = flood.mix().connectedAmong(records);
    final List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, Long> cpu0 = stack.cpuNanos();
    final long start = System.nanoTime();
    final Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        final long read = readNow.getAsLong();
        if (read >= 0) {
          samples.add(new Sample((System.nanoTime() - start) / 1_000_000, read - read0,
              flood.acked() - acked0));
        }
        LockSupport.parkNanos(SAMPLE.toNanos());
      }
    }, "bench-ceiling-sampler");
    sampler.setDaemon(true);
    sampler.start();
    final TailFlood.Produced produced;
    final double producedMillis;
    try {
      produced = produce.get();
      producedMillis = (System.nanoTime() - start) / 1e6;
      awaitRead(samples, records);
    } finally {
      sampler.interrupt();
      sampler.join(5_000);
    }
    final Map<String, Long> cpu1 = stack.cpuNanos();
    final long cpuNanos = System.nanoTime() - start;
    awaitFrames(fleet, frames0 + expected);
    final List<Sample> all = List.copyOf(samples);
    final Sample last = all.isEmpty() ? new Sample(0, 0, 0) : all.get(all.size() - 1);
    final long read = Math.min(records, last.read());
    final double readMillis = millisWhenRead(all, read);
    final double readAtProduced = readAt(all, producedMillis);
    final double left = read - readAtProduced;
    final double afterProducer = left > 0.05 * records && readMillis > producedMillis
        ? left / ((readMillis - producedMillis) / 1e3) : 0;
    final Map<String, Double> cores = CpuWindow.cores(cpu0, cpu1, cpuNanos);
    final long gatewayCpu = cpu1.getOrDefault("gateway", 0L) - cpu0.getOrDefault("gateway", 0L);
    final Measured m = new Measured(records, read, records / (producedMillis / 1e3),
        read / (Math.max(readMillis, 1) / 1e3), afterProducer, peak(all),
        all.stream().mapToLong(s -> s.acked() - s.read()).max().orElse(0),
        Math.max(0, readMillis - producedMillis), producedMillis, expected,
        fleet.frames() - frames0, cores.getOrDefault("gateway", Double.NaN), gatewayCpu / 1e9,
        cores.getOrDefault("bench-jvm", Double.NaN),
        all.stream().map(s -> new long[] {s.millis(), s.read(), s.acked()}).toList(), all);
    LOG.info("[ceiling] {} records ({} to subscribers): produced {}/s, consumed {}/s, max lag {}, "
        + "drain {} ms, gateway {} cores, {} of {} delivered", records,
        flood.mix().share(), Math.round(m.producedPerSecond()),
        Math.round(m.consumedPerSecond()), m.maxLag(), Math.round(m.drainMillis()),
        m.gatewayCores(), m.delivered(), expected);
    if (produced.records() != records) {
      throw new IllegalStateException("produced " + produced.records() + " of " + records);
    }
    return m;
  }

  /** Whether a hold kept up: small lag over its last quarter, drained within a second. */
  static boolean sustained(final Measured hold, final long rate) {
    final double from = hold.producedMillis() * 0.75;
    final long lastQuarterLag = hold.raw().stream()
        .filter(s -> s.millis() >= from && s.millis() <= hold.producedMillis())
        .mapToLong(s -> s.acked() - s.read()).max().orElse(0);
    return hold.read() == hold.records() && lastQuarterLag <= rate && hold.drainMillis() <= 1_000;
  }

  /** Waits until the samples show {@code records} read, or no progress for {@link #QUIET}. */
  private static void awaitRead(final List<Sample> samples, final long records) {
    final long deadline = System.nanoTime() + MAX_DRAIN.toNanos();
    long seen = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      final long read;
      synchronized (samples) {
        read = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).read();
      }
      if (read >= records) {
        return;
      }
      if (read != seen) {
        seen = read;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > QUIET.toNanos()) {
        LOG.warn("[ceiling] the tail stopped at {} of {} records", read, records);
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Waits until the fleet got {@code frames} frames, or none arrived for 3 s. */
  private static void awaitFrames(final Fleet fleet, final long frames) {
    long seen = -1;
    long lastChange = System.nanoTime();
    while (fleet.frames() < frames) {
      final long now = fleet.frames();
      if (now != seen) {
        seen = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(3)) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** When the tail had read {@code target} records, interpolated between samples (ms). */
  static double millisWhenRead(final List<Sample> samples, final long target) {
    Sample before = new Sample(0, 0, 0);
    for (final Sample s : samples) {
      if (s.read() >= target) {
        if (s.read() == before.read()) {
          return s.millis();
        }
        return before.millis() + (double) (target - before.read()) / (s.read() - before.read())
            * (s.millis() - before.millis());
      }
      before = s;
    }
    return before.millis();
  }

  /** Records the tail had read at {@code millis}, interpolated between samples. */
  static double readAt(final List<Sample> samples, final double millis) {
    Sample before = new Sample(0, 0, 0);
    for (final Sample s : samples) {
      if (s.millis() >= millis) {
        if (s.millis() == before.millis()) {
          return s.read();
        }
        return before.read() + (millis - before.millis()) / (s.millis() - before.millis())
            * (s.read() - before.read());
      }
      before = s;
    }
    return before.read();
  }

  /** The most records read in any window of about one second between two samples, per second. */
  static double peak(final List<Sample> samples) {
    double best = 0;
    int from = 0;
    for (int to = 1; to < samples.size(); to++) {
      while (from < to - 1 && samples.get(to).millis() - samples.get(from + 1).millis() >= 1_000) {
        from++;
      }
      final long ms = samples.get(to).millis() - samples.get(from).millis();
      if (ms >= 1_000) {
        best = Math.max(best, (samples.get(to).read() - samples.get(from).read()) * 1e3 / ms);
      }
    }
    return best;
  }
}
