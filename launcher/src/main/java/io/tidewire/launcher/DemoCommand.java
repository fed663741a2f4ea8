package io.tidewire.launcher;

import io.tidewire.gateway.GatewaySettings;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.launcher.cluster.LocalCluster;
import io.tidewire.launcher.demo.DemoUser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidewire demo}: an embedded PostgreSQL and Kafka broker, the three parts in this JVM, and
 * a traffic simulator. Prints where everything listens and a token per demo user; Ctrl-C or
 * SIGTERM stops everything and deletes the demo's data.
 *
 * <p>With {@code --brokers}, {@code --processors} or {@code --gateways} it runs a
 * {@link LocalCluster} instead: every broker, the capture, each processor and each gateway a
 * child JVM, and prints the table of parts so that any of them can be killed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run everything embedded: PostgreSQL, Kafka, capture, processor, gateway "
        + "and a traffic simulator.", "",
        "By default all in this JVM with one Kafka broker. With --brokers, --processors or "
        + "--gateways it runs a local cluster instead: each broker (KRaft broker+controller, one "
        + "quorum; replication factor 3 and min.insync.replicas=2 from three brokers on), the "
        + "capture, each processor and each gateway is a child JVM, so any of them can be "
        + "killed (kill -9 PID) while the rest carry on. It prints the table of parts (name, "
        + "role, pid, ports); unset counts default to 1. Start-up of 3/2/2 takes two to six "
        + "minutes on two cores; the children may use 3.7 GB of heap at most.", "",
        "Example: tidewire demo --brokers 3 --processors 2 --gateways 2 --parts-file parts.json",
        ""})
final class DemoCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

  @Option(names = "--port", defaultValue = "8080",
      description = "HTTP/WebSocket port of the gateway (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Interface the gateway binds (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  private String host;

  @Option(names = "--pg-port", defaultValue = "15432",
      description = "Port of the embedded PostgreSQL on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  private int pgPort;

  @Option(names = "--kafka-port", defaultValue = "19092",
      description = "Port of the embedded Kafka broker on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  private int kafkaPort;

  @Option(names = "--sim-interval", defaultValue = "PT0.5S",
      description = "Simulator step as an ISO-8601 duration (default: ${DEFAULT-VALUE}).")
  private Duration simInterval;

  @Option(names = "--no-simulator", description = "Start without simulated traffic.")
  private boolean noSimulator;

  @Option(names = "--brokers", paramLabel = "N",
      description = "Local cluster: N Kafka brokers, each a JVM, on --kafka-port and the next ports.")
  private Integer brokers;

  @Option(names = "--processors", paramLabel = "N",
      description = "Local cluster: N stream processor instances, each a JVM.")
  private Integer processors;

  @Option(names = "--gateways", paramLabel = "N",
      description = "Local cluster: N gateways, each a JVM, WebSocket on --port and the next ports.")
  private Integer gateways;

  @Option(names = "--parts-file", paramLabel = "FILE",
      description = "Local cluster: write the parts as JSON [{\"name\",\"role\",\"pid\",\"ports\"}].")
  private Path partsFile;

  @Override
  public Integer call() throws Exception {
    if (brokers != null || processors != null || gateways != null) {
      return new ClusterDemo(host, port, pgPort, kafkaPort, noSimulator ? Duration.ZERO : simInterval,
          count(brokers), count(processors), count(gateways), partsFile).run();
    }
    if (partsFile != null) {
      System.err.println("tidewire demo: --parts-file needs the local cluster "
          + "(--brokers, --processors or --gateways)");
      return 2;
    }
    final long t0 = System.nanoTime();
    final String secret = System.getenv().getOrDefault(GatewaySettings.JWT_SECRET.name(),
        DevTokens.DEMO_SECRET);
    if (DevTokens.DEMO_SECRET.equals(secret)) {
      LOG.warn("{} is unset: using the demo's public dev secret '{}'", GatewaySettings.JWT_SECRET.name(), secret);
    }
    final List<String> busy = BusyPorts.find(List.of(
        new BusyPorts.Wanted("--port", host, port),
        new BusyPorts.Wanted("--pg-port", "127.0.0.1", pgPort),
        new BusyPorts.Wanted("--kafka-port", "127.0.0.1", kafkaPort)));
    if (!busy.isEmpty()) {
      busy.forEach(line -> System.err.println("tidewire demo: " + line));
      return 2;
    }
    final CountDownLatch stopped = new CountDownLatch(1);
    final AtomicReference<DemoServer> demo = new AtomicReference<>();
    Shutdown.onSignal(() -> {
      LOG.info("Stopping the demo...");
      final DemoServer running = demo.get();
      if (running != null) {
        running.close();
      }
      LOG.info("Demo stopped.");
      stopped.countDown();
    });
    final Duration step = noSimulator ? Duration.ZERO : simInterval;
    demo.set(DemoServer.start(new DemoServer.Options(host, port, pgPort, kafkaPort, step,
        secret)));
    printBanner(demo.get().postgres(), demo.get().kafka(), demo.get().httpPort(),
        new DevTokens(secret), (System.nanoTime() - t0) / 1_000_000);
    stopped.await();
    return 0;
  }

  private static int count(final Integer n) {
    return n == null ? 1 : n;
  }

  private void printBanner(final EmbeddedPostgres pg, final EmbeddedKafka kafka,
      final int gatewayPort, final DevTokens tokens, final long startMillis) {
    final String shownHost = "0.0.0.0".equals(host) ? "localhost" : host;
    final String ws = "ws://" + shownHost + ":" + gatewayPort + "/v1/realtime";
    final StringBuilder b = new StringBuilder();
    b.append("\n  Tidewire demo is running (started in ")
        .append(String.format("%.1f", startMillis / 1000.0)).append(" s)\n\n");
    b.append("  Demo page   http://").append(shownHost).append(':').append(gatewayPort)
        .append("/\n");
    b.append("  WebSocket   ").append(ws).append("?token=TOKEN\n");
    b.append("  Health      http://").append(shownHost).append(':').append(gatewayPort)
        .append("/health    Metrics http://").append(shownHost).append(':')
        .append(gatewayPort).append("/metrics\n");
    b.append("  PostgreSQL  ").append(pg.jdbcUrl()).append("  (user/password tidewire)\n");
    b.append("              PGPASSWORD=tidewire psql -h 127.0.0.1 -p ").append(pg.port())
        .append(" -U tidewire tidewire\n");
    b.append("  Kafka       ").append(kafka.bootstrapServers()).append('\n');
    appendTokens(b, tokens, ws, "bin/tidewire token --user ID");
    b.append("\n  Ctrl-C stops everything.\n");
    System.out.println(b);
  }

  /** The demo users' tokens and how to try one with wscat (both demos' banners). */
  static void appendTokens(final StringBuilder b, final DevTokens tokens, final String ws,
      final String moreTokens) {
    b.append("\n  Tokens (valid 24 h; more with: ").append(moreTokens).append("):\n");
    for (final DemoUser u : DemoUser.ALL) {
      b.append(String.format("    %-6s %s%n           %s%n", u.name(), u.id(),
          tokens.mint(u.id().toString(), Duration.ofHours(24))));
    }
    b.append("\n  Try it:  npx -y wscat -c '").append(ws).append("?token=<alice's token>'\n");
    b.append("           > {\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"user\"}\n");
    b.append("           > {\"op\":\"subscribe\",\"ref\":\"2\",\"channel\":\"feed\"}\n");
  }

}
