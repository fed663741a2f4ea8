package io.tidewire.bench.scenario;

import io.tidewire.bench.BenchStack;
import io.tidewire.bench.BenchUsers;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.CatchupBacklog;
import io.tidewire.bench.load.Fleet;
import io.tidewire.bench.load.WsFleet;
import io.tidewire.bench.stats.CpuWindow;
import io.tidewire.client.Channel;
import io.tidewire.client.TidewireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconnect after missed events: a user's client goes offline, M of its events and
 * {@code catchupOthersFactor × M} events of other users in the same partition are written to
 * {@code realtime.user-events}, then the client reconnects with its cursor and the time until it
 * has handled its M-th missed event is measured — with the real Java client, then with a raw JDK
 * WebSocket from the same cursor.
 */
public final class CatchupScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(CatchupScenario.class);
  /** Resumes per client and size; the row shows the one with the median catch-up time. */
  private static final int REPEATS = 3;

  @Override
  public String name() {
    return "catchup";
  }

  @Override
  public String description() {
    return "reconnect after 10k/100k missed events: time until caught up";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.of(BenchStack.Part.GATEWAY);
  }

  /** One catch-up as measured by a client. */
  private record Catchup(long subscribedNanos, long firstNanos, long lastNanos, long received,
      long duplicates, long foreign, long wsBytes, boolean caughtUp, Map<String, Double> cpu) {

    Map<String, Object> json() {
      final Map<String, Object> m = new LinkedHashMap<>();
      m.put("subscribedMs", round(subscribedNanos / 1e6));
      m.put("firstMs", round(firstNanos / 1e6));
      m.put("caughtUpMs", caughtUp ? round(lastNanos / 1e6) : Double.NaN);
      m.put("received", received);
      m.put("duplicates", duplicates);
      m.put("foreign", foreign);
      m.put("wsBytes", wsBytes);
      m.put("cpuCores", cpu);
      return m;
    }
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final int factor = sizes.catchupOthersFactor();
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "reconnect → caught up after missed events")
        .method("A fresh user's client (the project's Java client, `io.tidewire.client."
            + "TidewireClient`) subscribes to its user channel, keeps its cursor and disconnects. "
            + "While it is offline, M `generation.progress` events of that user and " + factor
            + "×M events of other users whose keys hash to the **same partition** of "
            + "`realtime.user-events` are produced straight to Kafka (Avro `UserEvent`, as the "
            + "processor writes them, interleaved: " + factor + " foreign records before each own "
            + "one) by an idempotent, batching producer, and every record is acknowledged; the "
            + "processor and capture do not run. Once the gateway's live tail has read them (its "
            + "CPU idle), the client reconnects with `resumeFrom(cursor)`. *Caught up* is the time "
            + "from `connect()` to the client's listener handling the M-th event (*first* = the "
            + "first one); the client must get exactly M events of its own: no duplicate, no other "
            + "user's event. *events/s* = M / caught up; *scanned/s* = records of the partition "
            + "range the gateway had to read (own + foreign) / caught up; *Kafka MB* = their keys "
            + "and values, uncompressed; *WS MB* = the event frames' characters. The *raw "
            + "WebSocket* row repeats the resume from the same cursor with a bare JDK "
            + "`java.net.http.WebSocket` (no JSON parsing, no de-duplication): the gateway's own "
            + "cost without the client library's. Each client resumes " + REPEATS + " times "
            + "from the same cursor (the backlog stays in the log); the row is the resume with the "
            + "median catch-up time (all in the JSON). Before the first size, one unreported "
            + "round of the same size warms both JVMs up. Gateway CPU in cores over the "
            + "catch-up.")
        .setting("others per own event", factor)
        .columns("client", "missed", "foreign in partition", "Kafka MB scanned",
            "subscribed ms", "first ms", "caught up ms", "events/s", "scanned/s", "received",
            "duplicates", "foreign", "WS MB", "gateway CPU");

    final Map<String, Object> writes = new LinkedHashMap<>();
    final Map<String, Object> runs = new LinkedHashMap<>();
    boolean warm = false;
    for (final int missed : sizes.catchupEvents()) {
      final String tag = "cu" + Long.toHexString(System.nanoTime());
      final String user = BenchUsers.create(stack.db(), 1, tag).get(0);
      final String cursor = initialCursor(stack, user);
      LOG.info("[catchup] {}: offline at {}, writing {} own + {} foreign events", missed, cursor,
          missed, (long) missed * factor);
      final CatchupBacklog backlog = new CatchupBacklog(stack.kafkaBootstrap(), user, tag);
      final CatchupBacklog.Written written = backlog.write(missed, factor);
      LOG.info("[catchup] {}: {} records ({} MB) acknowledged in {} s", missed,
          written.records(), mb(written.bytes()), round(written.seconds()));
      writes.put(Integer.toString(missed), Map.of("records", written.records(),
          "bytes", written.bytes(), "ownBytes", written.ownBytes(),
          "produceSeconds", round(written.seconds()),
          "producedPerSecond", Math.round(written.records() / written.seconds())));
      awaitGatewayIdle(stack);

      final Duration timeout = Duration.ofSeconds(60 + missed / 1_000);
      if (!warm) {
        LOG.info("[catchup] warm-up round of {} (not reported)", missed);
        withJavaClient(stack, user, cursor, backlog.ids(), missed, timeout);
        withRawSocket(stack, user, cursor, backlog.ids(), missed, timeout);
        warm = true;
      }
      final List<Catchup> clients = new ArrayList<>();
      final List<Catchup> raws = new ArrayList<>();
      for (int r = 0; r < REPEATS; r++) {
        clients.add(log("Java client", missed,
            withJavaClient(stack, user, cursor, backlog.ids(), missed, timeout)));
        raws.add(log("raw WebSocket", missed,
            withRawSocket(stack, user, cursor, backlog.ids(), missed, timeout)));
      }
      row(result, "Java client", missed, written, median(clients));
      row(result, "raw WebSocket", missed, written, median(raws));
      runs.put("java-client@" + missed, clients.stream().map(Catchup::json).toList());
      runs.put("raw@" + missed, raws.stream().map(Catchup::json).toList());
      final Catchup client = median(clients);
      if (missed == 10_000) {
        result.note(String.format(Locale.ROOT, "Target: 10k missed events caught up in < 1 s; "
            + "measured %,.0f ms with the Java client (%,.0f ms with a raw WebSocket).",
            client.lastNanos() / 1e6, median(raws).lastNanos() / 1e6));
      }
    }
    result.detail("backlog", writes);
    result.detail("resumes", runs);
    result.note("The bench's gateway runs with `TIDEWIRE_GATEWAY_REPLAY_MAX_SCAN_RECORDS=2000000`: "
        + "by default (100,000) a cursor more records behind than that gets `recovered: false` and a "
        + "snapshot, which is what a client 110k records behind would get in production.");
    result.note("The gateway replays the user's partition in batches of "
        + "`TIDEWIRE_GATEWAY_REPLAY_BATCH_RECORDS` records and keeps only the user's own, so its "
        + "cost grows with the foreign records in the partition (scanned/s), not only with M; "
        + "the replay also pauses while the connection's send queue is over half full, so a "
        + "slower client (the Java client parses every frame into a Jackson tree) paces it.");
    return result.build();
  }

  /** Connects once without a cursor and returns the position the gateway named. */
  private static String initialCursor(final BenchStack stack, final String user)
      throws Exception {
    try (TidewireClient client = TidewireClient.builder(stack.gateway())
        .token(() -> stack.token(user))
        .subscribe(Channel.user())
        .connectTimeout(Duration.ofSeconds(30))
        .build()) {
      client.connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return client.cursor(Channel.USER).orElseThrow(() ->
          new IllegalStateException("the gateway named no cursor for the user channel"));
    }
  }

  private static Catchup withJavaClient(final BenchStack stack, final String user,
      final String cursor, final Set<String> expected, final int missed, final Duration timeout)
      throws Exception {
    final Counter counter = new Counter(expected, missed);
    final TidewireClient client = TidewireClient.builder(stack.gateway())
        .token(() -> stack.token(user))
        .subscribe(Channel.user())
        .resumeFrom(Channel.USER, cursor)
        .connectTimeout(Duration.ofSeconds(60))
        .onSubscribed(s -> {
          if (!s.recovered()) {
            LOG.warn("[catchup] the gateway did not recover the cursor: {}", s);
          }
        })
        .onSnapshot(s -> LOG.warn("[catchup] unexpected snapshot instead of a replay"))
        .onEvent(e -> counter.event(e.id(), 0, System.nanoTime()))
        .build();
    final CpuWindow cpu = CpuWindow.start(stack::cpuNanos);
    final long start = System.nanoTime();
    try (client) {
      client.connect().toCompletableFuture().get(timeout.toSeconds(), TimeUnit.SECONDS);
      final long subscribed = System.nanoTime();
      final boolean done = counter.await(timeout);
      final Map<String, Double> cores = cpu.cores();
      counter.settle();
      return counter.result(start, subscribed, done, cores);
    }
  }

  private static Catchup withRawSocket(final BenchStack stack, final String user,
      final String cursor, final Set<String> expected, final int missed, final Duration timeout)
      throws Exception {
    final Counter counter = new Counter(expected, missed);
    try (Fleet fleet = new WsFleet(stack.gateway(), (connection, frame, at) -> {
      if (frame.isOp("event")) {
        counter.event(frame.text("id").orElse("?"), frame.size(), at);
      }
    }, 1)) {
      final CpuWindow cpu = CpuWindow.start(stack::cpuNanos);
      final long start = System.nanoTime();
      fleet.open(List.of(new Fleet.Subscription(stack.token(user), Channel.USER,
          Optional.of(cursor))), 1, timeout);
      final long subscribed = System.nanoTime();
      final boolean done = counter.await(timeout);
      final Map<String, Double> cores = cpu.cores();
      counter.settle();
      return counter.result(start, subscribed, done, cores);
    }
  }

  /** The run with the median catch-up time (runs that did not catch up count as slowest). */
  private static Catchup median(final List<Catchup> runs) {
    final List<Catchup> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingLong(c -> c.caughtUp() ? c.lastNanos() : Long.MAX_VALUE));
    return sorted.get(sorted.size() / 2);
  }

  private static Catchup log(final String client, final int missed, final Catchup c) {
    LOG.info("[catchup] {} {}: caught up in {} ms (first after {} ms), {} received, {} dup, "
        + "{} foreign", client, missed, round(c.lastNanos() / 1e6), round(c.firstNanos() / 1e6),
        c.received(), c.duplicates(), c.foreign());
    return c;
  }

  private static void row(final ScenarioResult.Builder result, final String client,
      final int missed, final CatchupBacklog.Written written, final Catchup c) {
    final double caughtUpMs = c.caughtUp() ? c.lastNanos() / 1e6 : Double.NaN;
    final double seconds = caughtUpMs / 1000;
    result.row(client, missed, written.records() - written.ownRecords(), mb(written.bytes()),
        c.subscribedNanos() / 1e6, c.received() > 0 ? c.firstNanos() / 1e6 : Double.NaN,
        caughtUpMs, missed / seconds,
        written.records() / seconds, c.received(), c.duplicates(), c.foreign(),
        c.wsBytes() > 0 ? mb(c.wsBytes()) : Double.NaN,
        c.cpu().getOrDefault("gateway", Double.NaN));
  }

  /**
   * Waits until the gateway's CPU is nearly idle (its live tail has read the backlog), at most
   * 60 s, so the catch-up does not share the gateway with that.
   */
  private static void awaitGatewayIdle(final BenchStack stack) throws InterruptedException {
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      final CpuWindow window = CpuWindow.start(stack::cpuNanos);
      Thread.sleep(500);
      final double gateway = window.cores().getOrDefault("gateway", 0.0);
      if (gateway < 0.15) {
        return;
      }
    }
    LOG.warn("[catchup] the gateway stayed busy for 60 s after the backlog was written");
  }

  private static double mb(final long bytes) {
    return Math.round(bytes / 1e4) / 100.0;
  }

  private static double round(final double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** Counts one client's events against the expected ids; thread-safe. */
  private static final class Counter {
    private final Set<String> expected;
    private final int missed;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong foreign = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong first = new AtomicLong();
    private final AtomicLong last = new AtomicLong();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    Counter(final Set<String> expected, final int missed) {
      this.expected = expected;
      this.missed = missed;
    }

    void event(final String id, final long frameBytes, final long at) {
      received.incrementAndGet();
      bytes.addAndGet(frameBytes);
      first.compareAndSet(0, at);
      if (!expected.contains(id)) {
        foreign.incrementAndGet();
      } else if (!seen.add(id)) {
        duplicates.incrementAndGet();
      } else if (seen.size() == missed) {
        last.set(at);
        done.complete(null);
      }
    }

    boolean await(final Duration timeout) throws InterruptedException {
      try {
        done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return true;
      } catch (TimeoutException e) {
        LOG.warn("[catchup] only {} of {} events within {}", seen.size(), missed, timeout);
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Gives late duplicates or foreign events a moment to show up. */
    void settle() throws InterruptedException {
      Thread.sleep(1_000);
    }

    Catchup result(final long start, final long subscribed, final boolean caughtUp,
        final Map<String, Double> cpu) {
      final long f = first.get();
      final long l = last.get();
      return new Catchup(subscribed - start, f == 0 ? 0 : f - start, l == 0 ? 0 : l - start,
          received.get(), duplicates.get(), foreign.get(), bytes.get(), caughtUp, cpu);
    }
  }
}
