package io.tidewire.bench.scenario;

import static io.tidewire.bench.scenario.FanoutScenario.kb;
import static io.tidewire.bench.scenario.FanoutScenario.round;
import static io.tidewire.bench.scenario.FanoutScenario.round2;

import io.tidewire.bench.BenchStack;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.FanoutBroadcast;
import io.tidewire.bench.load.FanoutNioFleet;
import io.tidewire.bench.load.Fleet;
import io.tidewire.bench.stats.CpuClock;
import io.tidewire.bench.stats.LatencySummary;
import io.tidewire.gateway.GatewaySettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many idle connections on one gateway (issue 13, item 5): the gateway's heap and resident memory
 * per connection, its CPU while they idle (the server pings every session), and how long a
 * broadcast takes to reach all of them. Only this scenario's own gateway runs (a child JVM with a
 * bigger heap and a connection cap above the count); the events are produced straight to
 * {@code realtime.feed-events}.
 */
public final class ConnectionsScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionsScenario.class);
  private static final int FLEET_THREADS = 2;
  private static final int OPEN_CONCURRENCY = 500;
  /** Loopback connections per source address: the ephemeral range (32768–60999) less a margin. */
  private static final int PER_SOURCE_ADDRESS = 25_000;
  /** File descriptors beyond the connections, for everything else of a JVM (Kafka's logs too). */
  private static final int SPARE_FILES = 3_000;
  private static final int BROADCAST_EVENTS = 3;
  private static final Duration BROADCAST_GAP = Duration.ofSeconds(5);
  private static final Duration DRAIN = Duration.ofSeconds(60);

  @Override
  public String name() {
    return "connections";
  }

  @Override
  public String description() {
    return "one gateway, 100k idle connections: heap, CPU with pings, broadcast to all";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.noneOf(BenchStack.Part.class);
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final int wanted = sizes.manyConnections();
    final long files = (long) wanted + SPARE_FILES;
    // raised before the gateway starts, which inherits the limit (where raising is allowed)
    final long self = ProcessHandle.current().pid();
    final boolean selfRaised = raiseFileLimit(self, files);
    final String heap = wanted > 20_000 ? "4g" : "512m";
    final Duration pingInterval = Duration.ofSeconds(25);
    final Map<String, Object> detail = new LinkedHashMap<>();
    final ScenarioResult.Builder result;
    try (BenchStack.OtherGateway gateway = stack.startAnotherGateway(Map.of(
            GatewaySettings.MAX_CONNECTIONS.name(), Integer.toString(wanted + 1_000),
            GatewaySettings.PING_INTERVAL.name(), Long.toString(pingInterval.toSeconds())),
        List.of("-Xmx" + heap, "-Xms" + heap));
        FanoutBroadcast broadcast = new FanoutBroadcast(stack.kafkaBootstrap())) {
      final long pid = gateway.part().pid().orElseThrow();
      final boolean gatewayRaised = raiseFileLimit(pid, files);
      final long limit = Math.min(fileLimit(self).orElse(files), fileLimit(pid).orElse(files));
      final int n = (int) Math.max(1, Math.min(wanted, limit - SPARE_FILES));
      if (n < wanted) {
        LOG.warn("[connections] {} connections instead of {}: the open-files limit is {} and "
            + "could not be raised", n, wanted, limit);
      }
      detail.put("fileLimit", Map.of("raisedBench", selfRaised, "raisedGateway", gatewayRaised,
          "limit", limit, "wantedConnections", wanted));
      final int sources = (n + PER_SOURCE_ADDRESS - 1) / PER_SOURCE_ADDRESS;
      result = ScenarioResult.builder(name(),
          "one gateway, " + n + " idle connections, then a broadcast to all of them")
          .method("A gateway of its own (child JVM, `-Xmx" + heap + "`, "
              + "`TIDEWIRE_GATEWAY_MAX_CONNECTIONS` above N, pings every "
              + pingInterval.toSeconds() + " s as by default). The open-files limits of the "
              + "gateway and of the bench JVM are raised for the run with `prlimit` where that "
              + "is allowed (the system's stay as they are); where it is not, N is what the limit "
              + "leaves (" + SPARE_FILES + " descriptors spare per JVM) and the row says so. The "
              + "clients (the fan-out scenario's NIO client, " + FLEET_THREADS + " selector "
              + "threads, answering pings) bind to " + sources + " source address(es) "
              + "127.0.0.2… so that loopback's ephemeral ports (~28k per source address towards "
              + "one port) do not run out. N clients connect with a token each (a random `sub`) "
              + "and subscribe to `feed`, " + OPEN_CONCURRENCY + " handshakes in flight. "
              + "*heap KB/conn*: the gateway's heap after a full GC (`jcmd GC.run`) with the "
              + "clients idle, minus the same before they connected, over N; *RSS KB/conn*: the "
              + "same difference of its resident set (/proc VmRSS; the JVM's memory, not the "
              + "kernel's socket buffers). *gateway cores, 0 conns*: its CPU over "
              + sizes.manyIdle().dividedBy(3).toSeconds() + " s before any client connected "
              + "(its Kafka tails, timers, metrics); *idle cores*: over "
              + sizes.manyIdle().toSeconds() + " s with the N clients idle (its pings and their "
              + "pongs included), and the client fleet's. Then " + BROADCAST_EVENTS + " `feed.counts` "
              + "events " + BROADCAST_GAP.toSeconds() + " s apart, each to all N: per delivery, "
              + "send → receipt (p50, p99, corrected for coordinated omission); *to all* = the "
              + "slowest delivery, the time until every client had its event.")
          .setting("connections asked", wanted)
          .setting("open-files limit", limit)
          .setting("source addresses", sources)
          .setting("gateway heap", heap)
          .setting("ping interval s", pingInterval.toSeconds())
          .setting("idle s", sizes.manyIdle().toSeconds())
          .columns("conns", "source addrs", "connect s", "conns/s", "heap KB/conn",
              "RSS KB/conn", "gateway cores, 0 conns", "idle gateway cores", "idle loadgen cores",
              "events", "delivered",
              "missing", "p50 ms", "p99 ms", "to all ms");
      final OptionalLong baseHeap = heap(gateway);
      final OptionalLong baseRss = rss(pid);
      // the same gateway without connections, for what its Kafka tails and timers cost alone
      final Duration baseWindow = sizes.manyIdle().dividedBy(3);
      final long base0 = CpuClock.cpuNanos(pid).orElse(0L);
      final long baseT0 = System.nanoTime();
      LockSupport.parkNanos(baseWindow.toNanos());
      final double baseCores = (CpuClock.cpuNanos(pid).orElse(0L) - base0) / 1e9
          / ((System.nanoTime() - baseT0) / 1e9);

      final List<InetAddress> addresses = new ArrayList<>();
      for (int i = 0; i < sources; i++) {
        addresses.add(loopback(2 + i));
      }
      final List<Fleet.Subscription> subscriptions = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        subscriptions.add(new Fleet.Subscription(stack.token(UUID.randomUUID().toString()), "feed",
            Optional.empty()));
      }
      final FanoutNioFleet fleet = new FanoutNioFleet(gateway.endpoint(),
          (connection, frame, at) -> broadcast.received(frame, at), FLEET_THREADS, addresses);
      try {
        final long t0 = System.nanoTime();
        fleet.open(subscriptions, OPEN_CONCURRENCY, Duration.ofSeconds(Math.max(120, n / 50)));
        final double connectSeconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("[connections] {} clients subscribed in {} s", n, round(connectSeconds));

        final long cpu0 = CpuClock.cpuNanos(pid).orElse(0L);
        final long fleet0 = fleet.cpuNanos();
        final long idle0 = System.nanoTime();
        LockSupport.parkNanos(sizes.manyIdle().toNanos());
        final double idleWindow = (System.nanoTime() - idle0) / 1e9;
        final double idleCores = (CpuClock.cpuNanos(pid).orElse(0L) - cpu0) / 1e9 / idleWindow;
        final double idleLoadgen = (fleet.cpuNanos() - fleet0) / 1e9 / idleWindow;
        final OptionalLong idleHeap = heap(gateway);
        final OptionalLong idleRss = rss(pid);
        LOG.info("[connections] idle {} s: gateway {} cores; heap {} KB/conn", round(idleWindow),
            round2(idleCores), kb(idleHeap, baseHeap, n));

        final FanoutBroadcast.Run run = broadcast.run(
            1.0 / BROADCAST_GAP.toSeconds(), BROADCAST_GAP.multipliedBy(BROADCAST_EVENTS));
        final long expected = (long) run.events() * n;
        awaitDelivered(run, expected);
        final LatencySummary latency = run.latency().corrected();
        LOG.info("[connections] broadcast: {} of {} delivered, p50 {} ms, p99 {} ms, to all {} ms",
            run.delivered(), expected, latency.p50(), latency.p99(), latency.max());
        result.row(n, sources, round(connectSeconds), Math.round(n / connectSeconds),
            kb(idleHeap, baseHeap, n), kb(idleRss, baseRss, n), round2(baseCores), round2(idleCores),
            round2(idleLoadgen), run.events(), run.delivered(), expected - run.delivered(),
            latency.p50(), latency.p99(), latency.max());
        detail.put("heapBytes", Map.of("before", baseHeap.orElse(-1), "idle", idleHeap.orElse(-1)));
        detail.put("rssBytes", Map.of("before", baseRss.orElse(-1), "idle", idleRss.orElse(-1)));
        detail.put("closedByServer", fleet.closedByServer());
        if (n < wanted) {
          result.note(n + " connections, not the " + wanted + " asked: the open-files limit of "
              + "this machine is " + limit + " and `prlimit` may not raise it here (no "
              + "CAP_SYS_RESOURCE).");
        }
      } finally {
        fleet.close();
      }
    }
    result.detail("run", detail);
    result.note("Everything runs on one machine: the gateway, Kafka (in the bench JVM) and the "
        + "client fleet share the cores; the fleet's CPU is shown apart.");
    return result.build();
  }

  /**
   * Raises {@code pid}'s open-files limit (soft and hard) to {@code files} with {@code prlimit},
   * if it is lower; needs the privilege to raise a hard limit. False if it could not.
   */
  private static boolean raiseFileLimit(final long pid, final long files) {
    final OptionalLong now = fileLimit(pid);
    if (now.isPresent() && now.getAsLong() >= files) {
      return true;
    }
    try {
      final Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid),
          "--nofile=" + files + ":" + files).redirectErrorStream(true).start();
      final String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        LOG.warn("[connections] cannot raise the file limit of {} to {}: {} (limit {})", pid,
            files, out, now);
        return false;
      }
      return true;
    } catch (IOException e) {
      LOG.warn("[connections] cannot run prlimit: {}", e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The soft open-files limit of {@code pid}, from /proc. */
  private static OptionalLong fileLimit(final long pid) {
    try {
      for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
        if (line.startsWith("Max open files")) {
          final String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return "unlimited".equals(f[0]) ? OptionalLong.of(Long.MAX_VALUE)
              : OptionalLong.of(Long.parseLong(f[0]));
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("limits of {}: {}", pid, e.toString());
    }
    return OptionalLong.empty();
  }

  /** The resident set of {@code pid} in bytes, from /proc. */
  private static OptionalLong rss(final long pid) {
    try {
      for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("status of {}: {}", pid, e.toString());
    }
    return OptionalLong.empty();
  }

  private static InetAddress loopback(final int last) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
  }

  private static OptionalLong heap(final BenchStack.OtherGateway gateway) {
    final Optional<Long> h = BenchStack.heapAfterGc(gateway.part());
    return h.isPresent() ? OptionalLong.of(h.get()) : OptionalLong.empty();
  }

  /** Until {@code expected} receipts arrived, or {@link #DRAIN} passed after the last send. */
  private static void awaitDelivered(final FanoutBroadcast.Run run, final long expected) {
    final long deadline = System.nanoTime() + DRAIN.toNanos();
    while (run.delivered() < expected && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
