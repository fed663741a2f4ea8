package io.tidewire.bench;

import io.tidewire.bench.stats.CpuClock;
import io.tidewire.capture.CaptureConfig;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.infra.Directories;
import io.tidewire.infra.FreePorts;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.launcher.ChildPart;
import io.tidewire.launcher.DevTokens;
import io.tidewire.launcher.TidewireSettings;
import io.tidewire.launcher.TidewireStack;
import io.tidewire.processor.ProcessorConfig;
import io.tidewire.processor.ProcessorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system under test. Embedded: PostgreSQL (its own server processes) and a KRaft Kafka
 * broker in this JVM, and the three Tidewire parts as child JVMs started through the real command
 * line — as they are deployed — so each part's CPU and heap can be measured on its own. External:
 * existing PostgreSQL, Kafka and gateway given on the command line; the parts are not ours to
 * start or measure.
 *
 * <p>Scenarios say which parts they need ({@link #require}); the stack starts the missing ones and
 * stops the others, so, for example, the capture scenario measures Debezium alone.
 *
 * <p>Not thread-safe: used by the benchmark's main thread.
 */
public final class BenchStack implements AutoCloseable {

  /** A Tidewire part. */
  public enum Part {
    CAPTURE("capture"), PROCESSOR("process"), GATEWAY("gateway");

    private final String command;

    Part(final String command) {
      this.command = command;
    }
  }

  /** Where an external stack is. */
  public record External(String jdbcUrl, String pgUser, String pgPassword, String kafkaBootstrap,
      URI gateway, String jwtSecret) {}

  private static final Logger LOG = LoggerFactory.getLogger(BenchStack.class);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** The capture's default slot (its own constant is package-private). */
  private static final String DEFAULT_SLOT = "tidewire";

  private final Path workDir;
  private final Optional<EmbeddedPostgres> postgres;
  private final Optional<EmbeddedKafka> kafka;
  private final DataSource db;
  private final String kafkaBootstrap;
  private final URI gateway;
  private final DevTokens tokens;
  private final Map<String, String> partEnv;
  private final Map<String, String> overrides;
  private final List<String> partJvmOptions;
  private final Map<Part, ChildPart> parts = new EnumMap<>(Part.class);
  private int recordings;
  private Optional<Long> postmaster;
  private int starts;

  private BenchStack(final Path workDir, final Optional<EmbeddedPostgres> postgres,
      final Optional<EmbeddedKafka> kafka, final DataSource db, final String kafkaBootstrap,
      final URI gateway, final String jwtSecret, final Map<String, String> partEnv,
      final List<String> partJvmOptions, final Map<String, String> overrides) {
    this.workDir = workDir;
    this.overrides = Map.copyOf(overrides);
    this.postgres = postgres;
    this.kafka = kafka;
    this.db = db;
    this.kafkaBootstrap = kafkaBootstrap;
    this.gateway = gateway;
    this.tokens = new DevTokens(jwtSecret);
    this.partEnv = Map.copyOf(partEnv);
    this.partJvmOptions = List.copyOf(partJvmOptions);
  }

  /**
   * Starts PostgreSQL and Kafka in {@code workDir} (wiped first); parts start on demand.
   *
   * @param overrides {@code TIDEWIRE_*} settings for the parts, over the benchmark's defaults
   * @param partJvmOptions JVM options of every part (e.g. {@code -Xmx1g})
   */
  public static BenchStack embedded(final Path workDir, final Map<String, String> overrides,
      final List<String> partJvmOptions) {
    try {
      Directories.deleteRecursively(workDir);
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + workDir, e);
    }
    LOG.info("[stack] starting Kafka (KRaft) ...");
    final EmbeddedKafka kafka = EmbeddedKafka.start(0, workDir.resolve("kafka"));
    LOG.info("[stack] starting PostgreSQL ...");
    final EmbeddedPostgres postgres;
    try {
      postgres = EmbeddedPostgres.start(0, workDir.resolve("postgres"));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    // not the demo's published secret: `tidewire gateway` refuses it
    final String secret = "bench-" + UUID.randomUUID() + "-" + UUID.randomUUID();
    final Map<String, String> env =
        new HashMap<>(TidewireStack.envFor(postgres, kafka, secret));
    final int gatewayPort = FreePorts.any();
    env.put("TIDEWIRE_GATEWAY_HOST", "127.0.0.1");
    env.put("TIDEWIRE_GATEWAY_PORT", Integer.toString(gatewayPort));
    env.put("TIDEWIRE_PROCESSOR_STATE_DIR", workDir.resolve("streams").toString());
    env.put("TIDEWIRE_LOG_LEVEL", "WARN");
    // the catchup scenario resumes across up to 1.1M records (100k own among 1M foreign ones);
    // past the default scan limit (100k) the gateway would answer with a snapshot instead
    env.put("TIDEWIRE_GATEWAY_REPLAY_MAX_SCAN_RECORDS", "2000000");
    env.putAll(overrides);
    return new BenchStack(workDir, Optional.of(postgres), Optional.of(kafka),
        postgres.dataSource(), kafka.bootstrapServers(),
        URI.create("ws://127.0.0.1:" + env.get("TIDEWIRE_GATEWAY_PORT") + "/v1/realtime"),
        secret, env, partJvmOptions, overrides);
  }

  /** Uses a running stack; {@link #require} checks nothing and starts nothing. */
  public static BenchStack external(final Path workDir, final External external) {
    final PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(external.jdbcUrl());
    ds.setUser(external.pgUser());
    ds.setPassword(external.pgPassword());
    return new BenchStack(workDir, Optional.empty(), Optional.empty(), ds,
        external.kafkaBootstrap(), external.gateway(), external.jwtSecret(), Map.of(), List.of(),
        Map.of());
  }

  /** Whether the servers and parts are ours (and so measurable). */
  public boolean isEmbedded() {
    return kafka.isPresent();
  }

  /**
   * Makes exactly {@code needed} run (embedded only): stops the parts not needed, starts the
   * missing ones in pipeline order and waits until each is ready.
   */
  public void require(final Set<Part> needed) {
    if (!isEmbedded()) {
      return;
    }
    for (final Part part : EnumSet.complementOf(EnumSet.copyOf(orNone(needed)))) {
      final ChildPart running = parts.remove(part);
      if (running != null) {
        LOG.info("[stack] stopping {}", part.command);
        running.stop();
      }
    }
    for (final Part part : Part.values()) {
      if (needed.contains(part) && !parts.containsKey(part)) {
        LOG.info("[stack] starting {} (child JVM) ...", part.command);
        final long t = System.nanoTime();
        parts.put(part, new ChildPart(part.command, partEnv, partJvmOptions,
            workDir.resolve("logs").resolve("start-" + (++starts))).start());
        LOG.info("[stack] {} ready in {} ms", part.command,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
      }
    }
  }

  private static Set<Part> orNone(final Set<Part> parts) {
    return parts.isEmpty() ? EnumSet.noneOf(Part.class) : parts;
  }

  /**
   * Starts a JFR recording (default settings: about 1 % overhead) in every running part, through {@code jcmd}: the
   * parts keep running and their clients stay connected.
   */
  public void startProfiling() {
    for (final Part part : parts.keySet()) {
      pid(part).ifPresent(pid -> jcmd(pid, "JFR.start", "name=bench", "settings=default"));
    }
  }

  /** Stops the recordings {@link #startProfiling} started and returns their files. */
  public Map<Part, Path> stopProfiling() {
    final Map<Part, Path> files = new EnumMap<>(Part.class);
    for (final Part part : parts.keySet()) {
      final Optional<Long> pid = pid(part);
      if (pid.isEmpty()) {
        continue;
      }
      final Path file = workDir.resolve("jfr").resolve(part.command + "-" + (++recordings)
          + ".jfr").toAbsolutePath();
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + file.getParent(), e);
      }
      if (jcmd(pid.get(), "JFR.stop", "name=bench", "filename=" + file) && Files.exists(file)) {
        files.put(part, file);
      }
    }
    return files;
  }

  /** Runs a diagnostic command in a part's JVM; false (logged) if it failed. */
  private static boolean jcmd(final long pid, final String... command) {
    final List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.addAll(List.of(command));
    try {
      final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return true;
      }
      p.destroyForcibly();
      LOG.warn("jcmd {} {} failed", pid, String.join(" ", command));
      return false;
    } catch (IOException e) {
      LOG.warn("jcmd {} {}: {}", pid, String.join(" ", command), e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The application database, as the app's user. */
  public DataSource db() {
    return db;
  }

  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  /** The gateway's WebSocket endpoint. */
  public URI gateway() {
    return gateway;
  }

  /**
   * Starts one more gateway (a child JVM, the same settings on another port) and waits until it is
   * ready; the caller stops it. Embedded only: an external stack names one gateway.
   *
   * @throws IllegalStateException for an external stack
   */
  public OtherGateway startAnotherGateway() {
    return startAnotherGateway(Map.of(), partJvmOptions);
  }

  /**
   * As {@link #startAnotherGateway()}, with {@code settings} over the stack's and JVM options of
   * its own (e.g. a bigger heap).
   */
  public OtherGateway startAnotherGateway(final Map<String, String> settings,
      final List<String> jvmOptions) {
    if (!isEmbedded()) {
      throw new IllegalStateException("an external stack has one gateway; this scenario needs its own");
    }
    final int port = FreePorts.any();
    final Map<String, String> env = new HashMap<>(partEnv);
    env.putAll(settings);
    env.put("TIDEWIRE_GATEWAY_PORT", Integer.toString(port));
    LOG.info("[stack] starting another gateway (child JVM) ...");
    final ChildPart part = new ChildPart(Part.GATEWAY.command, env, jvmOptions,
        workDir.resolve("logs").resolve("start-" + (++starts))).start();
    return new OtherGateway(part, URI.create("ws://127.0.0.1:" + port + "/v1/realtime"));
  }

  /**
   * The heap {@code child} uses after a full GC ({@code jcmd GC.run}, then its /metrics), in bytes;
   * empty when it cannot be measured.
   */
  public static Optional<Long> heapAfterGc(final ChildPart child) {
    if (child.pid().isEmpty() || !jcmd(child.pid().get(), "GC.run")) {
      return Optional.empty();
    }
    return meter(child, "jvm_memory_used_bytes", "area=\"heap\"").filter(v -> v > 0);
  }


  /**
   * A gateway besides the stack's own.
   *
   * @param part its child JVM
   * @param endpoint its WebSocket endpoint
   */
  public record OtherGateway(ChildPart part, URI endpoint) implements AutoCloseable {
    @Override
    public void close() {
      part.stop();
    }
  }

  /** A token for {@code userId}, valid for a day. */
  public String token(final String userId) {
    return tokens.mint(userId, Duration.ofDays(1));
  }

  /** The running part's process id, if it runs here. */
  public Optional<Long> pid(final Part part) {
    final ChildPart child = parts.get(part);
    return child == null ? Optional.empty() : child.pid();
  }

  /**
   * CPU time so far of each process that takes part: {@code capture}, {@code processor},
   * {@code gateway} (when running), {@code postgres} (all its server processes) and
   * {@code bench-jvm} (this JVM: the Kafka broker and the load generators). Empty when external.
   */
  public Map<String, Long> cpuNanos() {
    final Map<String, Long> cpu = new LinkedHashMap<>();
    if (!isEmbedded()) {
      return cpu;
    }
    for (final Part part : Part.values()) {
      pid(part).flatMap(CpuClock::cpuNanos).ifPresent(n -> cpu.put(name(part), n));
    }
    postmaster().flatMap(CpuClock::treeNanos).ifPresent(n -> cpu.put("postgres", n));
    CpuClock.cpuNanos(ProcessHandle.current().pid()).ifPresent(n -> cpu.put("bench-jvm", n));
    return cpu;
  }

  /**
   * The postmaster's pid, found once as the parent of a backend: {@code pg_ctl} detaches the
   * server from this JVM, so it is not among its descendants.
   */
  private Optional<Long> postmaster() {
    if (postmaster == null) {
      try (var c = db.getConnection(); var s = c.createStatement();
          var rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        postmaster = ProcessHandle.of(rs.getLong(1)).flatMap(ProcessHandle::parent)
            .map(ProcessHandle::pid);
      } catch (java.sql.SQLException e) {
        LOG.warn("cannot find the PostgreSQL server process: {}", e.toString());
        postmaster = Optional.empty();
      }
    }
    return postmaster;
  }

  /** The port of a running part's /metrics. */
  public Optional<Integer> metricsPort(final Part part) {
    final ChildPart child = parts.get(part);
    return child == null ? Optional.empty() : Optional.of(child.metricsPort());
  }

  /** A part's name in reports. */
  public static String name(final Part part) {
    return part == Part.PROCESSOR ? "processor" : part.command;
  }

  /**
   * The heap a part's JVM uses after a full GC ({@code jcmd GC.run}, then its /metrics), in
   * bytes; empty when it cannot be measured.
   */
  public Optional<Long> heapAfterGc(final Part part) {
    final ChildPart child = parts.get(part);
    return child == null ? Optional.empty() : heapAfterGc(child);
  }

  /**
   * The sum of a running part's samples of {@code metric} whose labels contain
   * {@code labelFilter}, read from its /metrics now (0 if it has none); empty when the part does
   * not run here or cannot be scraped. Unlike the rest of the stack, callable from any thread while
   * no part starts or stops (a scenario's sampler).
   */
  public Optional<Long> meter(final Part part, final String metric, final String labelFilter) {
    final ChildPart child = parts.get(part);
    return child == null ? Optional.empty() : meter(child, metric, labelFilter);
  }

  private static Optional<Long> meter(final ChildPart child, final String metric,
      final String labelFilter) {
    try {
      final String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + child.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      return Optional.of(PrometheusText.sum(metrics, metric, labelFilter));
    } catch (IOException e) {
      LOG.warn("cannot scrape {} of {}: {}", metric, child, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }


  /** PostgreSQL settings that matter for latency, for the report. */
  public Map<String, String> postgresSettings() {
    final Map<String, String> settings = new LinkedHashMap<>();
    try (var c = db.getConnection(); var s = c.createStatement()) {
      for (final String name : List.of("server_version", "fsync", "synchronous_commit",
          "wal_level", "shared_buffers")) {
        try (var rs = s.executeQuery("SHOW " + name)) {
          rs.next();
          settings.put(name, rs.getString(1));
        }
      }
    } catch (java.sql.SQLException e) {
      LOG.warn("cannot read PostgreSQL settings: {}", e.toString());
    }
    return settings;
  }

  /** The capture's replication slot, as the capture reads its settings (default when external). */
  public String captureSlot() {
    return isEmbedded() ? CaptureConfig.fromEnv(partEnv, TidewireSettings.ALL).slotName() : DEFAULT_SLOT;
  }

  /** The processor's application id (its consumer group), as it reads its settings. */
  public String processorGroup() {
    return isEmbedded() ? ProcessorConfig.fromEnv(partEnv, TidewireSettings.ALL).applicationId()
        : ProcessorSettings.DEFAULT_APP_ID;
  }

  /**
   * Whether the processor runs the user-state fold (job events then cross the repartition topic
   * {@code <group>-public.generation_jobs.user-state-by-user-repartition}), as it reads its
   * settings (default when external).
   */
  public boolean processorUserState() {
    return isEmbedded() ? ProcessorConfig.fromEnv(partEnv, TidewireSettings.ALL).userState()
        : ProcessorSettings.USER_STATE.defaultValue().orElseThrow();
  }

  /**
   * The parts' settings that shape the figures, as the parts will read them (defaults included),
   * plus every {@code --set} override; empty for an external stack.
   */
  public Map<String, Object> effectiveSettings() {
    final Map<String, Object> shown = new LinkedHashMap<>();
    if (!isEmbedded()) {
      return shown;
    }
    final CaptureConfig capture = CaptureConfig.fromEnv(partEnv, TidewireSettings.ALL);
    final ProcessorConfig processor = ProcessorConfig.fromEnv(partEnv, TidewireSettings.ALL);
    final GatewayConfig gateway = GatewayConfig.fromEnv(partEnv, TidewireSettings.ALL);
    shown.put("capture poll interval ms", capture.pollInterval().toMillis());
    shown.put("processor commit interval ms", processor.commitInterval().toMillis());
    shown.put("processor threads", processor.streamThreads());
    shown.put("processor user-state fold", processor.userState());
    shown.put("topic partitions", processor.topicPartitions());
    shown.put("gateway send queue", gateway.sendQueueMessages() + " msgs / "
        + gateway.sendQueueBytes() + " bytes");
    shown.put("part JVM options", partJvmOptions);
    shown.put("overrides", overrides);
    return shown;
  }

  @Override
  public void close() {
    for (final ChildPart part : parts.values()) {
      part.stop();
    }
    parts.clear();
    postgres.ifPresent(EmbeddedPostgres::close);
    kafka.ifPresent(EmbeddedKafka::close);
  }
}
