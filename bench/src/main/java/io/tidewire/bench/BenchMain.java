package io.tidewire.bench;

import io.tidewire.bench.scenario.CaptureScenario;
import io.tidewire.bench.scenario.CatchupScenario;
import io.tidewire.bench.scenario.CeilingScenario;
import io.tidewire.bench.scenario.ConnectionsScenario;
import io.tidewire.bench.scenario.FanoutScenario;
import io.tidewire.bench.scenario.LatencyScenario;
import io.tidewire.bench.scenario.PresenceScenario;
import io.tidewire.bench.scenario.ThroughputScenario;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidewire bench [SCENARIO…]}: starts the embedded stack (or uses an external one), runs the
 * scenarios in pipeline order, prints each table, writes {@code target/bench/<scenario>.json} and
 * updates docs/BENCHMARKS.md. Exits 1 if a scenario failed (the others still run).
 */
@Command(name = "tidewire bench", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tidewire bench 0.1.0-SNAPSHOT",
    description = {"Benchmarks the whole pipeline on this machine. Scenarios (default: all, in "
        + "this order):",
        "  latency     commit -> client at fixed rates, next to a LISTEN/NOTIFY floor",
        "  throughput  highest change rate sustained end to end, JFR profile",
        "  fanout      one gateway, 1k/5k/10k connections: msgs/s, CPU, heap",
        "  connections one gateway, 100k idle connections: heap, CPU with pings, broadcast",
        "  ceiling     one gateway's consumption ceiling on realtime.user-events",
        "  catchup     reconnect after 10k/100k missed events: time to catch up",
        "  capture     Debezium alone: commit -> Kafka, latency and changes/s",
        "  presence    two gateways: broadcast latency, track -> presence_diff",
        "", "A full run takes about 17 minutes; --smoke runs everything in about a minute with "
        + "tiny sizes (to check that it works; its figures mean nothing)."},
    footer = {"", "Examples:",
        "  bin/tidewire bench                 all (~15 min), updates docs/BENCHMARKS.md",
        "  bin/tidewire bench latency fanout  two scenarios, their sections only",
        "  bin/tidewire bench --set TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS=50 throughput"})
public final class BenchMain implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(BenchMain.class);

  static final List<Scenario> SCENARIOS = List.of(new LatencyScenario(),
      new ThroughputScenario(), new FanoutScenario(), new ConnectionsScenario(),
      new CeilingScenario(), new CatchupScenario(),
      new CaptureScenario(), new PresenceScenario());

  @Parameters(paramLabel = "SCENARIO", arity = "0..*",
      description = "Scenarios to run: latency, throughput, fanout, connections, ceiling, catchup, "
          + "capture, presence.")
  private List<String> scenarios = new ArrayList<>();

  @Option(names = "--smoke", description = "Tiny sizes, a few seconds per scenario (CI).")
  private boolean smoke;

  @Option(names = "--latency-rates", paramLabel = "RATE", split = ",",
      description = "Change rates of the latency scenario (default: 100,1000,5000).")
  private List<Integer> latencyRates = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where the JSON results go (default: target/bench).")
  private Optional<Path> out;

  @Option(names = "--docs", paramLabel = "FILE",
      description = "Markdown file whose sections are updated (default: docs/BENCHMARKS.md; "
          + "not written with --smoke unless given).")
  private Optional<Path> docs;

  @Option(names = "--no-docs", description = "Do not update the Markdown file.")
  private boolean noDocs;

  @Option(names = "--set", paramLabel = "TIDEWIRE_X=VALUE",
      description = "A setting for the parts (repeatable), over the defaults.")
  private Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--part-heap", paramLabel = "SIZE", defaultValue = "1g",
      description = "-Xmx of each part's JVM (default: ${DEFAULT-VALUE}).")
  private String partHeap;

  @ArgGroup(exclusive = false, heading = "%nExternal stack (all required together; parts are "
      + "then neither started nor measured):%n")
  private ExternalOptions external;

  static final class ExternalOptions {
    @Option(names = "--pg-url", required = true, paramLabel = "JDBC_URL",
        description = "The app's database (migrations applied, captured by the capture).")
    String jdbcUrl;
    @Option(names = "--pg-user", required = true, paramLabel = "USER") String pgUser;
    @Option(names = "--pg-password", required = true, paramLabel = "PASSWORD") String pgPassword;
    @Option(names = "--kafka", required = true, paramLabel = "BOOTSTRAP",
        description = "Kafka bootstrap servers.")
    String kafka;
    @Option(names = "--gateway", required = true, paramLabel = "WS_URI",
        description = "e.g. ws://host:8080/v1/realtime")
    URI gateway;
    @Option(names = "--jwt-secret", required = true, paramLabel = "SECRET",
        description = "The gateway's HS256 secret, to mint the clients' tokens.")
    String jwtSecret;
  }

  public static void main(final String[] args) {
    final int code = new CommandLine(new BenchMain()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() {
    final List<Scenario> selected = select(scenarios);
    final Sizes base = smoke ? Sizes.smoke() : Sizes.full();
    final Sizes sizes = latencyRates.isEmpty() ? base : base.withLatencyRates(latencyRates);
    final Path root = Paths.get(System.getProperty("tidewire.root", "."));
    final Path outDir = out.orElse(root.resolve("target/bench"));
    final Optional<Path> doc = noDocs ? Optional.empty()
        : docs.or(() -> smoke ? Optional.empty() : Optional.of(root.resolve("docs/BENCHMARKS.md")));
    for (final String key : settings.keySet()) {
      if (!key.startsWith("TIDEWIRE_")) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--set takes TIDEWIRE_* settings, got " + key);
      }
    }
    LOG.info("Benchmarks {} ({} sizes), results in {}", selected.stream().map(Scenario::name)
        .toList(), smoke ? "smoke" : "full", outDir.toAbsolutePath());
    final Map<String, String> sections = new LinkedHashMap<>();
    final List<ScenarioResult> results = new ArrayList<>();
    int failed = 0;
    try (BenchStack stack = external == null
        ? BenchStack.embedded(outDir.resolve("work"), settings, List.of("-Xmx" + partHeap))
        : BenchStack.external(outDir.resolve("work"), new BenchStack.External(external.jdbcUrl,
            external.pgUser, external.pgPassword, external.kafka, external.gateway,
            external.jwtSecret))) {
      for (final Scenario scenario : selected) {
        LOG.info("=== {}: {}", scenario.name(), scenario.description());
        try {
          stack.require(scenario.parts());
          final ScenarioResult result = scenario.run(stack, sizes);
          results.add(result);
          System.out.println(Report.text(result));
          Report.writeJson(outDir, result);
          sections.put(scenario.name(), Report.markdown(result));
        } catch (Exception e) {
          failed++;
          LOG.error("Scenario {} failed", scenario.name(), e);
        }
      }
      sections.put("machine", Machine.describe(stack, smoke));
      Report.writeJson(outDir.resolve("machine.json"), Machine.facts(stack));
    }
    if (doc.isPresent() && !results.isEmpty()) {
      Report.updateDocument(doc.get(), sections);
      LOG.info("Updated {}", doc.get().toAbsolutePath());
    }
    LOG.info("Done: {} scenario(s) measured, {} failed", results.size(), failed);
    return failed == 0 ? 0 : 1;
  }

  static List<Scenario> select(final List<String> names) {
    if (names.isEmpty()) {
      return SCENARIOS;
    }
    final List<Scenario> chosen = new ArrayList<>();
    for (final Scenario s : SCENARIOS) {
      if (names.contains(s.name())) {
        chosen.add(s);
      }
    }
    for (final String name : names) {
      if (SCENARIOS.stream().noneMatch(s -> s.name().equals(name))) {
        throw new IllegalArgumentException("unknown scenario '" + name + "'; known: "
            + SCENARIOS.stream().map(Scenario::name).toList());
      }
    }
    return chosen;
  }

  /** Facts about the machine and versions, for the report. */
  static final class Machine {
    private Machine() {
    }

    static Map<String, Object> facts(final BenchStack stack) {
      final Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      facts.put("cpu", cpuModel());
      facts.put("cores", Runtime.getRuntime().availableProcessors());
      facts.put("memoryGiB", memoryGiB());
      facts.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version")
          + " " + System.getProperty("os.arch"));
      facts.put("jdk", System.getProperty("java.vm.name") + " "
          + System.getProperty("java.runtime.version"));
      facts.put("kafka", org.apache.kafka.common.utils.AppInfoParser.getVersion());
      facts.put("debezium", io.debezium.connector.postgresql.Module.version());
      facts.put("postgres", stack.postgresSettings());
      facts.put("stack", stack.isEmbedded() ? "embedded: PostgreSQL server processes, Kafka "
          + "broker in the bench JVM, capture/processor/gateway as child JVMs" : "external");
      facts.put("settings", stack.effectiveSettings());
      facts.put("benchJvm", ManagementFactory.getRuntimeMXBean().getInputArguments());
      return facts;
    }

    static String describe(final BenchStack stack, final boolean smoke) {
      final Map<String, Object> f = facts(stack);
      final StringBuilder md = new StringBuilder("### Machine and versions\n\n");
      if (smoke) {
        md.append("**Smoke sizes: these figures mean nothing.**\n\n");
      }
      f.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
      return md.toString();
    }

    private static String cpuModel() {
      try {
        return Files.readAllLines(Paths.get("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name")).findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
      } catch (Exception e) {
        return System.getProperty("os.arch");
      }
    }

    private static String memoryGiB() {
      final var os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
        return String.format(Locale.ROOT, "%.1f", sun.getTotalMemorySize() / (1024.0 * 1024 * 1024));
      }
      return "unknown";
    }
  }
}
