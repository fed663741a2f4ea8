package io.tidewire.bench.scenario;

import io.tidewire.bench.BenchStack;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.FanoutBroadcast;
import io.tidewire.bench.load.FanoutNioFleet;
import io.tidewire.bench.load.Fleet;
import io.tidewire.bench.load.Frame;
import io.tidewire.bench.stats.CpuWindow;
import io.tidewire.bench.stats.LatencySummary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway broadcasting public feed events to N connections: delivered messages per second,
 * send → receipt latency per delivery, the gateway's CPU (and messages per gateway core), the
 * load generator's own CPU, and the gateway's heap per connection, idle and after a broadcast.
 * Only the gateway runs: the events are produced straight to {@code realtime.feed-events}.
 */
public final class FanoutScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(FanoutScenario.class);
  private static final int FLEET_THREADS = 2;
  private static final int OPEN_CONCURRENCY = 200;
  private static final Duration DRAIN = Duration.ofSeconds(15);
  private static final Duration QUIET = Duration.ofSeconds(3);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public String description() {
    return "one gateway broadcasting to 1k/5k/10k connections: msgs/s, CPU, heap";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.of(BenchStack.Part.GATEWAY);
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final Duration warmup = warmup(sizes.fanoutDuration());
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "one gateway, N feed subscribers, a broadcast of ~" + sizes.fanoutDeliveries()
            + " deliveries/s")
        .method("Only the gateway runs (a child JVM). For each N, N WebSocket clients connect "
            + "with a token each (a random `sub`; the feed needs no user row) and subscribe to "
            + "`feed`. The clients are a minimal RFC 6455 client on " + FLEET_THREADS + " NIO "
            + "selector threads in the bench JVM (no thread per connection, frames parsed in "
            + "place): the JDK `java.net.http.WebSocket` client reads all connections on one "
            + "selector thread and saturated it at ~50k frames/s, so it measured itself, not the "
            + "gateway. *idle KB/conn*: "
            + "gateway heap after a full GC (`jcmd GC.run`) with the N clients idle, minus the "
            + "same before they connected, over N. Then a bench-JVM KafkaProducer writes "
            + "`feed.counts` events straight to `realtime.feed-events` at " + sizes.fanoutDeliveries()
            + "/N events/s (so ~" + sizes.fanoutDeliveries() + " deliveries/s) for "
            + sizes.fanoutDuration().toSeconds() + " s after a " + warmup.toSeconds()
            + " s warm-up; every client receipt is matched to its event by id. Latency per "
            + "delivery runs from the event's scheduled send time (corrected for coordinated "
            + "omission); *raw* from the producer's `send` call. *msgs/s* = deliveries / window, "
            + "the window running from the first measured send to the last receipt (at most "
            + DRAIN.toSeconds() + " s after the last send); *gateway cores* = the gateway "
            + "process's CPU over that window (/proc), *msgs/s/core* = deliveries / gateway CPU "
            + "seconds; *loadgen cores* = CPU of the client fleet's threads. *active KB/conn*: "
            + "heap after a full GC right after the broadcast, clients still connected. Between N "
            + "values the fleet closes and the gateway's `/health` must report 0 connections.")
        .setting("connections", sizes.fanoutConnections())
        .setting("deliveries/s target", sizes.fanoutDeliveries())
        .setting("measured s", sizes.fanoutDuration().toSeconds())
        .setting("warm-up s", warmup.toSeconds())
        .setting("fleet threads", FLEET_THREADS)
        .columns("conns", "events/s", "expected", "delivered", "missing", "msgs/s",
            "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "raw p50 ms", "gateway cores",
            "msgs/s/core", "loadgen cores", "idle KB/conn", "active KB/conn");

    final Map<String, Object> perN = new LinkedHashMap<>();
    try (FanoutBroadcast broadcast = new FanoutBroadcast(stack.kafkaBootstrap())) {
      for (final int n : sizes.fanoutConnections()) {
        final Measured m = measure(stack, broadcast, n,
            (double) sizes.fanoutDeliveries() / n, warmup, sizes.fanoutDuration());
        final LatencySummary lat = m.latency();
        result.row(n, round(m.rate()), m.expected(), m.delivered(), m.expected() - m.delivered(),
            Math.round(m.msgsPerSecond()), lat.p50(), lat.p95(), lat.p99(), lat.p999(),
            lat.max(), m.raw().p50(), m.gatewayCores(),
            m.gatewayCpuSeconds() > 0 ? Math.round(m.delivered() / m.gatewayCpuSeconds()) : -1,
            m.loadgenCores(), kb(m.idleHeap(), m.baseHeap(), n), kb(m.activeHeap(), m.baseHeap(), n));
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("cpuCoresByProcess", m.cpu());
        d.put("heapBytes", Map.of("before", m.baseHeap().orElse(-1), "idle",
            m.idleHeap().orElse(-1), "active", m.activeHeap().orElse(-1)));
        d.put("windowSeconds", m.windowSeconds());
        d.put("secondsToZeroConnections", m.closeSeconds());
        d.put("closedByServer", m.closedByServer());
        d.put("connectSeconds", m.connectSeconds());
        perN.put(Integer.toString(n), d);
      }
    }
    result.detail("perConnections", perN);
    result.note("Everything runs on one machine: the gateway, Kafka (in the bench JVM) and the "
        + "client fleet share the cores, so the fleet's CPU (loadgen cores) is taken from the "
        + "gateway's budget; msgs/s/core divides by the gateway's own CPU only.");
    result.note("What limits msgs/s (profiled with JFR and /proc utime/stime): the gateway "
        + "encodes each event once and writes the shared frame bytes to every socket, so per "
        + "delivery it does one `write` syscall, and over loopback the kernel also runs the "
        + "receiver's TCP path in that call: 55-70 % of the gateway's CPU is system time. A feed "
        + "event for 512+ subscribers is split over TIDEWIRE_GATEWAY_FANOUT_THREADS (default: "
        + "the cores), which only helps where the gateway has cores the fleet and Kafka do not "
        + "use.");
    result.note("What the idle heap is: Grizzly's connection and filter-chain state (~1.6 KB), "
        + "the handshake's strings (token, headers), the Tyrus session (~0.6 KB) and the "
        + "gateway's own session, subscription and queue (~0.5 KB). Grizzly's HTTP codec would "
        + "keep the upgrade request and response (~7 KB more) for the connection's life; the "
        + "gateway's reads skip the codec once upgraded and let them go (UpgradedReads).");
    result.note("Heap per connection is the difference of two heap readings after a full GC "
        + "divided by N; with small N the noise of unrelated heap (Kafka consumer buffers, "
        + "metrics) dominates.");
    return result.build();
  }

  private record Measured(double rate, long expected, long delivered, double msgsPerSecond,
      LatencySummary latency, LatencySummary raw, double gatewayCores, double gatewayCpuSeconds,
      double loadgenCores, Map<String, Double> cpu, OptionalLong baseHeap, OptionalLong idleHeap,
      OptionalLong activeHeap, double windowSeconds, double closeSeconds, int closedByServer,
      double connectSeconds) {}

  private Measured measure(final BenchStack stack, final FanoutBroadcast broadcast, final int n,
      final double rate, final Duration warmup, final Duration duration) throws Exception {
    final OptionalLong base = heap(stack);
    final List<Fleet.Subscription> subscriptions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      subscriptions.add(new Fleet.Subscription(stack.token(UUID.randomUUID().toString()), "feed",
          Optional.empty()));
    }
    final Fleet fleet = new FanoutNioFleet(stack.gateway(),
        (connection, frame, at) -> broadcast.received(frame, at), FLEET_THREADS);
    final Measured m;
    double closeSeconds;
    try {
      final long t0 = System.nanoTime();
      fleet.open(subscriptions, OPEN_CONCURRENCY, Duration.ofSeconds(Math.max(120, n / 50)));
      final double connectSeconds = (System.nanoTime() - t0) / 1e9;
      LOG.info("[fanout] {} clients subscribed in {} s", n, round(connectSeconds));
      final OptionalLong idle = heap(stack);

      LOG.info("[fanout] N={}: warming up {} s at {} events/s", n, warmup.toSeconds(), round(rate));
      final FanoutBroadcast.Run warm = broadcast.run(rate, warmup);
      awaitDelivered(warm, (long) warm.events() * n);

      LOG.info("[fanout] N={}: broadcasting {} s at {} events/s", n, duration.toSeconds(),
          round(rate));
      final long cpuFleet0 = fleet.cpuNanos();
      final Map<String, Long> cpu0 = stack.cpuNanos();
      final long start = System.nanoTime();
      final FanoutBroadcast.Run run = broadcast.run(rate, duration);
      final long expected = (long) run.events() * n;
      awaitDelivered(run, expected);
      final Map<String, Long> cpu1 = stack.cpuNanos();
      final long cpuEnd = System.nanoTime();
      final long end = Math.max(run.lastReceivedNanos(), start + 1);
      final Map<String, Double> cores = CpuWindow.cores(cpu0, cpu1, cpuEnd - start);
      final double window = (end - start) / 1e9;
      final long gatewayCpu = cpu1.getOrDefault("gateway", 0L) - cpu0.getOrDefault("gateway", 0L);
      final double loadgen = (fleet.cpuNanos() - cpuFleet0) / 1e9 / Math.max(window, 1e-9);
      final long delivered = run.delivered();
      final OptionalLong active = heap(stack);
      LOG.info("[fanout] N={}: {} of {} delivered, {} msgs/s, p50 {} ms, p99 {} ms, gateway {} "
          + "cores", n, delivered, expected, Math.round(delivered / window),
          run.latency().corrected().p50(), run.latency().corrected().p99(),
          cores.get("gateway"));
      m = new Measured(rate, expected, delivered, delivered / window, run.latency().corrected(),
          run.latency().raw(), cores.getOrDefault("gateway", Double.NaN),
          gatewayCpu / 1e9, round2(loadgen), cores, base, idle, active, round2(window), -1,
          fleet.closedByServer(), round2(connectSeconds));
    } finally {
      final long c0 = System.nanoTime();
      fleet.close();
      closeSeconds = awaitNoConnections(stack) ? (System.nanoTime() - c0) / 1e9 : -1;
      LOG.info("[fanout] fleet of {} closed; gateway at 0 connections after {} s", n,
          round2(closeSeconds));
    }
    return new Measured(m.rate(), m.expected(), m.delivered(), m.msgsPerSecond(), m.latency(),
        m.raw(), m.gatewayCores(), m.gatewayCpuSeconds(), m.loadgenCores(), m.cpu(),
        m.baseHeap(), m.idleHeap(), m.activeHeap(), m.windowSeconds(), round2(closeSeconds),
        m.closedByServer(), m.connectSeconds());
  }

  /**
   * Waits until {@code expected} receipts arrived, or nothing arrived for {@link #QUIET}, or
   * {@link #DRAIN} passed.
   */
  private static void awaitDelivered(final FanoutBroadcast.Run run, final long expected) {
    final long deadline = System.nanoTime() + DRAIN.toNanos();
    long seen = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      final long now = run.delivered();
      if (now >= expected) {
        return;
      }
      if (now != seen) {
        seen = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > QUIET.toNanos()) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static OptionalLong heap(final BenchStack stack) {
    final Optional<Long> h = stack.heapAfterGc(BenchStack.Part.GATEWAY);
    return h.isPresent() ? OptionalLong.of(h.get()) : OptionalLong.empty();
  }

  /** Polls the gateway's /health until it reports 0 connections (at most 30 s). */
  private static boolean awaitNoConnections(final BenchStack stack) throws InterruptedException {
    final URI health = URI.create("http://" + stack.gateway().getHost() + ":"
        + stack.metricsPort(BenchStack.Part.GATEWAY).orElse(stack.gateway().getPort()) + "/health");
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        final String body = HTTP.send(HttpRequest.newBuilder(health).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        if (Frame.of(body).number("connections").orElse(-1) == 0) {
          return true;
        }
      } catch (java.io.IOException e) {
        LOG.debug("health: {}", e.toString());
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static Duration warmup(final Duration measured) {
    return Duration.ofMillis(Math.max(500, Math.min(5_000, measured.toMillis() / 3)));
  }

  static double kb(final OptionalLong heap, final OptionalLong base, final int n) {
    if (heap.isEmpty() || base.isEmpty()) {
      return Double.NaN;
    }
    return round((heap.getAsLong() - base.getAsLong()) / 1024.0 / n);
  }

  static double round(final double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double round2(final double v) {
    return Math.round(v * 100) / 100.0;
  }
}
