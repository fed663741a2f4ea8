package io.tidewire.launcher;

import io.tidewire.gateway.GatewaySettings;
import io.tidewire.infra.Directories;
import io.tidewire.launcher.cluster.ClusterSpec;
import io.tidewire.launcher.cluster.LocalCluster;
import io.tidewire.launcher.cluster.PartsTable;
import io.tidewire.launcher.demo.SimulatedPresence;
import io.tidewire.launcher.demo.TrafficSimulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tidewire demo --brokers N --processors N --gateways N}: a {@link LocalCluster} with the
 * demo page on every gateway and the traffic simulator in this JVM. Prints the parts table (and
 * writes it as JSON with {@code --parts-file}); Ctrl-C or SIGTERM stops every child gracefully and
 * deletes the cluster's data and logs.
 */
final class ClusterDemo {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterDemo.class);

  private final String host;
  private final int port;
  private final int pgPort;
  private final int kafkaPort;
  private final Duration simulatorStep;
  private final int brokers;
  private final int processors;
  private final int gateways;
  private final Path partsFile;

  /** @param partsFile where to write the parts as JSON, or null for nowhere */
  ClusterDemo(final String host, final int port, final int pgPort, final int kafkaPort,
      final Duration simulatorStep, final int brokers, final int processors, final int gateways,
      final Path partsFile) {
    this.host = host;
    this.port = port;
    this.pgPort = pgPort;
    this.kafkaPort = kafkaPort;
    this.simulatorStep = simulatorStep;
    this.brokers = brokers;
    this.processors = processors;
    this.gateways = gateways;
    this.partsFile = partsFile;
  }

  int run() throws Exception {
    if (brokers < 1 || processors < 1 || gateways < 1) {
      System.err.println("tidewire demo: --brokers, --processors and --gateways must be at least 1");
      return 2;
    }
    final String secret = System.getenv(GatewaySettings.JWT_SECRET.name());
    if (DevTokens.DEMO_SECRET.equals(secret)) {
      System.err.println("tidewire demo: the cluster's gateways refuse the demo's published secret; "
          + "unset " + GatewaySettings.JWT_SECRET.name() + " (a random one is used) or set your own");
      return 2;
    }
    final List<BusyPorts.Wanted> wanted = new ArrayList<>();
    for (int i = 0; i < gateways; i++) {
      wanted.add(new BusyPorts.Wanted("--port", host, port + i));
    }
    for (int i = 0; i < brokers; i++) {
      wanted.add(new BusyPorts.Wanted("--kafka-port", "127.0.0.1", kafkaPort + i));
    }
    wanted.add(new BusyPorts.Wanted("--pg-port", "127.0.0.1", pgPort));
    final List<String> busy = BusyPorts.find(wanted);
    if (!busy.isEmpty()) {
      busy.forEach(line -> System.err.println("tidewire demo: " + line));
      return 2;
    }
    final long t0 = System.nanoTime();
    final Path work = Files.createTempDirectory("tidewire-cluster-");
    final CountDownLatch stopped = new CountDownLatch(1);
    final AtomicReference<LocalCluster> cluster = new AtomicReference<>();
    final AtomicReference<TrafficSimulator> simulator = new AtomicReference<>();
    Shutdown.onSignal(() -> {
      LOG.info("Stopping the local cluster (every child gracefully) ...");
      if (simulator.get() != null) {
        simulator.get().close();
      }
      if (cluster.get() != null) {
        cluster.get().close();
      }
      try {
        Directories.deleteRecursively(work);
      } catch (IOException e) {
        LOG.warn("could not delete {}: {}", work, e.toString());
      }
      LOG.info("Local cluster stopped.");
      stopped.countDown();
    });
    LOG.info("Local cluster: {} broker(s), {} processor(s), {} gateway(s); data and logs in {}",
        brokers, processors, gateways, work);
    cluster.set(LocalCluster.start(ClusterSpec.builder()
        .brokers(brokers).processors(processors).gateways(gateways)
        .gatewayHost(host).gatewayPort(port).kafkaPort(kafkaPort).pgPort(pgPort)
        .workDir(work).demoPage(true)
        .env(secret == null ? Map.of() : Map.of(GatewaySettings.JWT_SECRET.name(), secret))
        .build()));
    if (!simulatorStep.isZero()) {
      LOG.info("Starting the traffic simulator ...");
      // the simulated users are online (spread over the gateways) and type before they comment
      final List<URI> endpoints = IntStream.rangeClosed(1, gateways).mapToObj(cluster.get()::gatewayUri).toList();
      simulator.set(new TrafficSimulator(cluster.get().postgres().dataSource(), simulatorStep,
          SimulatedPresence.start(endpoints, new DevTokens(cluster.get().jwtSecret()))));
      simulator.get().start();
    }
    if (partsFile != null) {
      cluster.get().writePartsFile(partsFile);
    }
    printBanner(cluster.get(), work, (System.nanoTime() - t0) / 1_000_000, secret == null);
    stopped.await();
    return 0;
  }

  private void printBanner(final LocalCluster c, final Path work, final long startMillis,
      final boolean randomSecret) {
    final String shownHost = "0.0.0.0".equals(host) ? "localhost" : host;
    final StringBuilder b = new StringBuilder();
    b.append("\n  Tidewire local cluster is running (started in ")
        .append(String.format("%.1f", startMillis / 1000.0)).append(" s)\n\n");
    b.append(PartsTable.text(c.parts()));
    b.append("\n  (The demo itself, with the traffic simulator: pid ")
        .append(ProcessHandle.current().pid()).append(")\n");
    b.append("  Kill any part with kill -9 PID and watch the rest carry on; logs: ")
        .append(work).append("/<name>/\n");
    if (partsFile != null) {
      b.append("  Parts as JSON: ").append(partsFile.toAbsolutePath()).append('\n');
    }
    b.append('\n');
    for (int i = 1; i <= gateways; i++) {
      final int p = c.gatewayPort(i);
      b.append("  Demo page   http://").append(shownHost).append(':').append(p).append("/   ")
          .append("WebSocket ws://").append(shownHost).append(':').append(p)
          .append("/v1/realtime?token=TOKEN\n");
    }
    b.append("  Health      http://127.0.0.1:OPS/health and /metrics of every part (ops ports above)\n");
    b.append("  PostgreSQL  ").append(c.postgres().jdbcUrl()).append("  (user/password tidewire)\n");
    b.append("  Kafka       ").append(c.bootstrapServers()).append('\n');
    final String moreTokens = randomSecret
        ? "TIDEWIRE_JWT_SECRET='" + c.jwtSecret() + "' bin/tidewire token --user ID"
        : "bin/tidewire token --user ID";
    DemoCommand.appendTokens(b, new DevTokens(c.jwtSecret()),
        "ws://" + shownHost + ":" + c.gatewayPort(1) + "/v1/realtime", moreTokens);
    b.append("\n  Ctrl-C stops everything.\n");
    System.out.println(b);
  }
}
