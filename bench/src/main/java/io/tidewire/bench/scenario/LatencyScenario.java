package io.tidewire.bench.scenario;

import io.tidewire.bench.BenchStack;
import io.tidewire.bench.BenchUsers;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.JobUpdates;
import io.tidewire.bench.load.TopicWatch;
import io.tidewire.bench.load.Fleet;
import io.tidewire.bench.load.Frame;
import io.tidewire.bench.load.WsFleet;
import io.tidewire.bench.stats.CpuWindow;
import io.tidewire.bench.stats.LatencyRecorder;
import io.tidewire.bench.stats.LatencySummary;
import io.tidewire.processor.internals.InternalSerde;
import io.tidewire.processor.internals.UserChange;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.UserEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.Deserializer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commit → client latency of {@code generation_jobs} progress updates at fixed rates, with a
 * WebSocket client connected for every user, and in the same run the floor: the same updates on
 * an uncaptured copy of the table whose trigger {@code pg_notify}s a JDBC listener.
 */
public final class LatencyScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(LatencyScenario.class);
  private static final int JOBS_PER_USER = 2;
  /** Warm-ups the pipeline is driven for before the first rate: the parts have just started. */
  private static final int PIPELINE_WARMUPS = 4;
  private static final String FLOOR_TABLE = "bench_floor_jobs";
  private static final String CHANNEL = "tidewire_bench";
  private static final String HOP_CDC = "commit → cdc topic";
  private static final String HOP_REPARTITION_WRITTEN = "commit → repartition topic, written";
  private static final String HOP_REPARTITION = "commit → repartition topic, committed";
  private static final String HOP_EVENTS_WRITTEN = "commit → realtime.user-events, written";
  private static final String HOP_EVENTS = "commit → realtime.user-events, committed";
  /** The repartition topic that carries job changes to the user-state fold (with the fold on). */
  private static final String REPARTITION = "-public.generation_jobs.user-state-by-user-repartition";

  @Override
  public String name() {
    return "latency";
  }

  @Override
  public String description() {
    return "commit -> WebSocket client at fixed rates, next to a LISTEN/NOTIFY floor";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.allOf(BenchStack.Part.class);
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "commit → client receipt of generation_jobs progress updates")
        .method("One autocommit `UPDATE generation_jobs SET progress = …` per change, at a fixed "
            + "rate from a few JDBC writers, spread over " + sizes.latencyUsers() + " users × "
            + JOBS_PER_USER + " active jobs; every user has a WebSocket client (JDK "
            + "`java.net.http.WebSocket`, one shared HttpClient) subscribed to its user channel. "
            + "Latency runs from the update's scheduled time to the client's receipt of its "
            + "`generation.progress` event (corrected for coordinated omission: a writer that "
            + "falls behind is charged for it); *raw* runs from the commit's return. The "
            + "**floor** drives the same updates, at the same rates, on `" + FLOOR_TABLE
            + "` (a copy of the table the capture does not publish) whose `AFTER UPDATE` trigger "
            + "calls `pg_notify`, received by a JDBC `LISTEN` connection: the least any "
            + "push-from-PostgreSQL path costs on this machine. *×floor* = p50 / floor p50. "
            + "Each rate is driven for the warm-up before it is measured; before the first rate the "
            + "pipeline is also driven " + PIPELINE_WARMUPS + " warm-ups long at that rate, as the "
            + "parts have just started (JIT, caches): without it the first rate measured the start. "
            + "The ↳ rows break Tidewire's path down: when the same update became visible to a "
            + "`read_committed` consumer in the bench JVM on `cdc.public.generation_jobs`, on the "
            + "repartition topic that takes job changes to the user-state fold "
            + "(`<group>" + REPARTITION + "`, only with the fold on) and on "
            + "`realtime.user-events` (*committed*), and when the processor wrote it to the latter "
            + "two, as a `read_uncommitted` consumer sees it before its transaction commits "
            + "(*written*); so written → committed is the wait for the processor's commit, and "
            + "committed → the next hop's written is the fetch and processing. Counted only for "
            + "updates seen there before their client got them, so their counts can be lower. "
            + "CPU = cores used by all processes together (per process in the JSON).")
        .setting("users", sizes.latencyUsers())
        .setting("jobs", sizes.latencyUsers() * JOBS_PER_USER)
        .setting("warm-up s", sizes.latencyWarmup().toSeconds())
        .setting("measured s", sizes.latencyDuration().toSeconds())
        .columns("path", "rate/s", "achieved/s", "events", "missing", "p50 ms", "p95 ms",
            "p99 ms", "p99.9 ms", "max ms", "raw p50 ms", "raw p99 ms", "×floor p50",
            "CPU cores");

    final String tag = "lat" + Long.toHexString(System.nanoTime());
    final List<String> users = BenchUsers.create(stack.db(), sizes.latencyUsers(), tag);
    final List<String> jobs = BenchUsers.activeJobs(stack.db(), users, JOBS_PER_USER);
    prepareFloor(stack, jobs);

    final JobUpdates pipeline = new JobUpdates(stack.db(), "generation_jobs", jobs);
    final JobUpdates floor = new JobUpdates(stack.db(), FLOOR_TABLE, jobs);
    final Map<String, Object> cpuDetails = new LinkedHashMap<>();
    try (Fleet fleet = new WsFleet(stack.gateway(), (connection, frame, at) -> {
      if (!frame.text("type").filter("generation.progress"::equals).isPresent()) {
        return;
      }
      final Optional<String> job = frame.text("data", "jobId");
      final OptionalLong progress = frame.number("data", "progress");
      if (job.isPresent() && progress.isPresent()) {
        pipeline.received(job.get(), (int) progress.getAsLong(), at);
      }
    }, 2); NotifyListener listener = new NotifyListener(stack, floor);
        TopicWatch cdc = new TopicWatch(stack.kafkaBootstrap(),
            Topics.cdcName("public", "generation_jobs"), (r, at) -> cdcSeen(pipeline, r.value(), at));
        TopicWatch eventsWritten = new TopicWatch(stack.kafkaBootstrap(),
            Topics.USER_EVENTS.name(), IsolationLevel.READ_UNCOMMITTED,
            eventsSeen(pipeline, HOP_EVENTS_WRITTEN));
        TopicWatch events = new TopicWatch(stack.kafkaBootstrap(), Topics.USER_EVENTS.name(),
            eventsSeen(pipeline, HOP_EVENTS));
        RepartitionWatch repartition = stack.processorUserState()
            ? new RepartitionWatch(stack.kafkaBootstrap(), stack.processorGroup() + REPARTITION, pipeline)
            : null) {
      final List<Fleet.Subscription> subs = new ArrayList<>();
      for (final String user : users) {
        subs.add(new Fleet.Subscription(stack.token(user), "user", Optional.empty()));
      }
      fleet.open(subs, 100, Duration.ofMinutes(2));
      LOG.info("[latency] {} clients subscribed", subs.size());

      final int firstRate = sizes.latencyRates().get(0);
      final Duration warmup = sizes.latencyWarmup().multipliedBy(PIPELINE_WARMUPS);
      LOG.info("[latency] warming the pipeline up at {}/s for {} s", firstRate, warmup.toSeconds());
      pipeline.run(firstRate, warmup, writers(firstRate));
      pipeline.awaitDrained(Duration.ofSeconds(30));
      for (final int rate : sizes.latencyRates()) {
        final int writers = writers(rate);
        final Measured p = measure("tidewire", pipeline, stack, rate, writers, sizes);
        final Measured f = measure("floor", floor, stack, rate, writers, sizes);
        row(result, "Tidewire", rate, p, f.summary().p50());
        hop(result, HOP_CDC, rate, pipeline.stage(HOP_CDC), f.summary().p50());
        if (repartition != null) {
          hop(result, HOP_REPARTITION_WRITTEN, rate, pipeline.stage(HOP_REPARTITION_WRITTEN),
              f.summary().p50());
          hop(result, HOP_REPARTITION, rate, pipeline.stage(HOP_REPARTITION), f.summary().p50());
        }
        hop(result, HOP_EVENTS_WRITTEN, rate, pipeline.stage(HOP_EVENTS_WRITTEN), f.summary().p50());
        hop(result, HOP_EVENTS, rate, pipeline.stage(HOP_EVENTS), f.summary().p50());
        row(result, "floor (LISTEN/NOTIFY)", rate, f, f.summary().p50());
        cpuDetails.put("tidewire@" + rate, p.cpu());
        cpuDetails.put("floor@" + rate, f.cpu());
      }
    }
    result.detail("cpuCoresByProcess", cpuDetails);
    result.detail("postgres", stack.postgresSettings());
    return result.build();
  }

  /** JDBC writers driving {@code rate} updates per second. */
  private static int writers(final int rate) {
    return Math.max(2, Math.min(8, rate / 500 + 1));
  }

  private record Measured(JobUpdates.Outcome outcome, LatencySummary summary, LatencySummary raw,
      int missing, Map<String, Double> cpu) {}

  private static Measured measure(final String path, final JobUpdates updates,
      final BenchStack stack, final int rate, final int writers, final Sizes sizes)
      throws InterruptedException {
    LOG.info("[latency] {} at {}/s: warming up {} s", path, rate,
        sizes.latencyWarmup().toSeconds());
    updates.run(rate, sizes.latencyWarmup(), writers);
    updates.awaitDrained(Duration.ofSeconds(10));
    final CpuWindow cpu = CpuWindow.start(stack::cpuNanos);
    final JobUpdates.Outcome outcome = updates.run(rate, sizes.latencyDuration(), writers);
    final Map<String, Double> cores = cpu.cores();
    final int missing = updates.awaitDrained(Duration.ofSeconds(15));
    final Measured m = new Measured(outcome, outcome.latency().corrected(),
        outcome.latency().raw(), missing, cores);
    LOG.info("[latency] {} at {}/s: p50 {} ms, p99 {} ms, {} missing", path, rate,
        m.summary().p50(), m.summary().p99(), missing);
    return m;
  }

  private static void row(final ScenarioResult.Builder result, final String path, final int rate,
      final Measured m, final double floorP50) {
    result.row(path, rate, m.outcome().achievedPerSecond(), m.summary().count(), m.missing(),
        m.summary().p50(), m.summary().p95(), m.summary().p99(), m.summary().p999(),
        m.summary().max(), m.raw().p50(), m.raw().p99(),
        floorP50 > 0 ? m.summary().p50() / floorP50 : Double.NaN,
        m.cpu().getOrDefault("total", Double.NaN));
  }

  private static void hop(final ScenarioResult.Builder result, final String hop, final int rate,
      final LatencyRecorder recorder, final double floorP50) {
    final LatencySummary s = recorder.corrected();
    final LatencySummary raw = recorder.raw();
    result.row("  ↳ " + hop, rate, "", s.count(), "", s.p50(), s.p95(), s.p99(), s.p999(),
        s.max(), raw.p50(), raw.p99(), floorP50 > 0 ? s.p50() / floorP50 : Double.NaN, "");
  }

  /** A change record of generation_jobs: its {@code after} row's id and progress. */
  private static void cdcSeen(final JobUpdates updates, final byte[] value, final long at) {
    if (value == null) {
      return;
    }
    final Frame change = Frame.of(value, 0, value.length);
    final Optional<String> id = change.text("after", "id");
    final OptionalLong progress = change.number("after", "progress");
    if (id.isPresent() && progress.isPresent()) {
      updates.observed(HOP_CDC, id.get(), (int) progress.getAsLong(), at);
    }
  }

  private static BiConsumer<ConsumerRecord<byte[], byte[]>, Long> eventsSeen(
      final JobUpdates updates, final String hop) {
    final Deserializer<UserEvent> avro = Topics.USER_EVENTS.valueSerde().deserializer();
    return (r, at) -> progressSeen(updates, hop, avro.deserialize(r.topic(), r.value()), at);
  }

  private static void progressSeen(final JobUpdates updates, final String hop,
      final UserEvent event, final long at) {
    if (event != null && event.getData() instanceof GenerationProgress g) {
      updates.observed(hop, g.getJobId(), g.getProgress(), at);
    }
  }

  /**
   * Watches the repartition topic of job changes, read uncommitted (written) and read committed
   * (committed); its values are the processor's internal {@link UserChange}s, whose events are
   * those the fold will send.
   */
  private static final class RepartitionWatch implements AutoCloseable {
    private final TopicWatch written;
    private final TopicWatch committed;

    RepartitionWatch(final String bootstrap, final String topic, final JobUpdates updates) {
      final InternalSerde<UserChange> serde = InternalSerde.of(UserChange.class);
      written = new TopicWatch(bootstrap, topic, IsolationLevel.READ_UNCOMMITTED,
          (r, at) -> seen(serde, updates, HOP_REPARTITION_WRITTEN, r, at));
      committed = new TopicWatch(bootstrap, topic, IsolationLevel.READ_COMMITTED,
          (r, at) -> seen(serde, updates, HOP_REPARTITION, r, at));
    }

    private static void seen(final InternalSerde<UserChange> serde, final JobUpdates updates,
        final String hop, final ConsumerRecord<byte[], byte[]> r, final long at) {
      if (r.value() != null) {
        serde.read(r.value()).events().forEach(e -> progressSeen(updates, hop, e, at));
      }
    }

    @Override
    public void close() throws InterruptedException {
      written.close();
      committed.close();
    }
  }

  private static void prepareFloor(final BenchStack stack, final List<String> jobs)
      throws SQLException {
    try (Connection c = stack.db().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + FLOOR_TABLE
          + " (LIKE generation_jobs INCLUDING DEFAULTS INCLUDING INDEXES)");
      s.execute("CREATE OR REPLACE FUNCTION bench_floor_notify() RETURNS trigger AS $$ BEGIN "
          + "PERFORM pg_notify('" + CHANNEL + "', NEW.id::text || ':' || NEW.progress); "
          + "RETURN NEW; END $$ LANGUAGE plpgsql");
      s.execute("DROP TRIGGER IF EXISTS bench_floor_notify ON " + FLOOR_TABLE);
      s.execute("CREATE TRIGGER bench_floor_notify AFTER UPDATE ON " + FLOOR_TABLE
          + " FOR EACH ROW EXECUTE FUNCTION bench_floor_notify()");
      s.execute("INSERT INTO " + FLOOR_TABLE + " SELECT * FROM generation_jobs WHERE id IN ("
          + String.join(",", jobs.stream().map(j -> "'" + j + "'").toList()) + ")");
    }
  }

  /** A JDBC connection that LISTENs to the floor's channel and hands receipts to the updates. */
  private static final class NotifyListener implements AutoCloseable {
    private final Connection connection;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);

    NotifyListener(final BenchStack stack, final JobUpdates floor) throws SQLException {
      connection = stack.db().getConnection();
      try (Statement s = connection.createStatement()) {
        s.execute("LISTEN " + CHANNEL);
      }
      final PGConnection pg = connection.unwrap(PGConnection.class);
      thread = new Thread(() -> {
        while (running.get()) {
          try {
            final PGNotification[] notes = pg.getNotifications(200);
            final long at = System.nanoTime();
            if (notes == null) {
              continue;
            }
            for (final PGNotification n : notes) {
              final String payload = n.getParameter();
              final int colon = payload.lastIndexOf(':');
              floor.received(payload.substring(0, colon),
                  Integer.parseInt(payload.substring(colon + 1)), at);
            }
          } catch (SQLException e) {
            if (running.get()) {
              LOG.warn("[latency] floor listener: {}", e.toString());
            }
            return;
          }
        }
      }, "bench-floor-listener");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws SQLException, InterruptedException {
      running.set(false);
      thread.join(5_000);
      connection.close();
    }
  }
}
