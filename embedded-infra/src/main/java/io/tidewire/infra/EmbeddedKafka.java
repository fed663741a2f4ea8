package io.tidewire.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka node in KRaft combined mode (broker and controller in one), running in this JVM on
 * 127.0.0.1: either a single-node cluster ({@link #start(int, Path)}; internal topics with
 * replication factor 1 and few partitions so that start-up and the first transactions stay fast)
 * or one voter of a multi-node quorum ({@link #startNode}; replication factor {@code min(3, n)}
 * and {@code min.insync.replicas} 2 from three nodes on, for every topic that does not say
 * otherwise and for the internal ones).
 *
 * <p>Thread-safe; {@link #close()} shuts the broker down and waits for it.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final Properties props;
  private final int port;
  // guarded by this
  private KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafka(final Properties props, final KafkaRaftServer server, final int port) {
    this.props = props;
    this.server = server;
    this.port = port;
  }

  /**
   * Formats a fresh log directory and starts a broker, returning once it answers metadata
   * requests.
   *
   * @param port client port on 127.0.0.1, or 0 for any free port
   * @param dataDirectory log directory; wiped first
   */
  public static EmbeddedKafka start(final int port, final Path dataDirectory) {
    return start(port, dataDirectory, Map.of());
  }

  /** As {@link #start(int, Path)}, with broker settings that override the defaults. */
  public static EmbeddedKafka start(final int port, final Path dataDirectory,
      final Map<String, String> overrides) {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    final long started = System.nanoTime();
    final int clientPort = FreePorts.orFree(port);
    final int controllerPort = FreePorts.orFree(0);
    try {
      Directories.deleteRecursively(dataDirectory);
      final Path logs = Files.createDirectories(dataDirectory.resolve("logs"));
      final Properties props = brokerProperties(clientPort, controllerPort, logs);
      overrides.forEach(props::setProperty);
      final Path propsFile = dataDirectory.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(propsFile)) {
        props.store(out, "Tidewire embedded broker");
      }
      format(propsFile, Uuid.randomUuid().toString(), true);
      final EmbeddedKafka kafka = new EmbeddedKafka(props, launch(props), clientPort);
      kafka.awaitReady(Duration.ofSeconds(60));
      LOG.info("Kafka (KRaft) ready on 127.0.0.1:{} in {} ms", clientPort,
          (System.nanoTime() - started) / 1_000_000);
      return kafka;
    } catch (IOException e) {
      throw new InfraException("cannot start embedded Kafka: " + e.getMessage(), e);
    }
  }

  /**
   * One voter of a static KRaft quorum on 127.0.0.1.
   *
   * @param nodeId the node's id, unique in the quorum
   * @param port client (broker) port
   * @param controllerPort controller (Raft) port
   */
  public record QuorumNode(int nodeId, int port, int controllerPort) {
    String voter() {
      return nodeId + "@127.0.0.1:" + controllerPort;
    }
  }

  /**
   * Starts node {@code nodeId} of a multi-node cluster whose voters are {@code quorum}. Formats
   * {@code dataDirectory} only when it holds no formatted log yet, so a node started again after
   * a crash or a stop (in this process or another) gets back its data, on the same ports.
   * Returns once the node answers metadata requests: a majority of the voters must be running
   * by then, so start the nodes of a new cluster concurrently.
   *
   * @param nodeId which of {@code quorum} to start
   * @param quorum every voter; ports must be fixed (not 0)
   * @param clusterId the same {@link Uuid} string for every node of the cluster
   * @param dataDirectory this node's directory, kept across starts
   * @param overrides broker settings that override the defaults
   * @throws IllegalArgumentException if {@code nodeId} is not one of {@code quorum}
   */
  public static EmbeddedKafka startNode(final int nodeId, final List<QuorumNode> quorum,
      final String clusterId, final Path dataDirectory, final Map<String, String> overrides) {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    final QuorumNode self = quorum.stream().filter(n -> n.nodeId() == nodeId).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("node " + nodeId + " is not in " + quorum));
    final long started = System.nanoTime();
    try {
      final Path logs = Files.createDirectories(dataDirectory.resolve("logs"));
      final Properties props = quorumNodeProperties(self, quorum, logs);
      overrides.forEach(props::setProperty);
      if (!Files.exists(logs.resolve("meta.properties"))) {
        final Path propsFile = dataDirectory.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propsFile)) {
          props.store(out, "Tidewire embedded broker, node " + nodeId);
        }
        format(propsFile, clusterId, false);
      }
      final EmbeddedKafka kafka = new EmbeddedKafka(props, launch(props), self.port());
      kafka.awaitReady(Duration.ofSeconds(120));
      LOG.info("Kafka node {} of {} ready on 127.0.0.1:{} in {} ms", nodeId, quorum.size(),
          self.port(), (System.nanoTime() - started) / 1_000_000);
      return kafka;
    } catch (IOException e) {
      throw new InfraException("cannot start Kafka node " + nodeId + ": " + e.getMessage(), e);
    }
  }

  static Properties quorumNodeProperties(final QuorumNode self, final List<QuorumNode> quorum,
      final Path logs) {
    final Properties p = brokerProperties(self.port(), self.controllerPort(), logs);
    p.remove("controller.quorum.bootstrap.servers");
    p.setProperty("node.id", Integer.toString(self.nodeId()));
    p.setProperty("controller.quorum.voters",
        quorum.stream().map(QuorumNode::voter).collect(Collectors.joining(",")));
    final String replicas = Integer.toString(replicationFactor(quorum.size()));
    final String minIsr = Integer.toString(minInSyncReplicas(quorum.size()));
    p.setProperty("default.replication.factor", replicas);
    p.setProperty("min.insync.replicas", minIsr);
    p.setProperty("offsets.topic.replication.factor", replicas);
    p.setProperty("transaction.state.log.replication.factor", replicas);
    p.setProperty("transaction.state.log.min.isr", minIsr);
    p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
    p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
    return p;
  }

  /** Replication factor of a cluster of {@code nodes}: {@code min(3, nodes)}. */
  public static int replicationFactor(final int nodes) {
    return Math.min(3, nodes);
  }

  /** {@code min.insync.replicas} of a cluster of {@code nodes}: 2 from three nodes on, else 1. */
  public static int minInSyncReplicas(final int nodes) {
    return replicationFactor(nodes) >= 3 ? 2 : 1;
  }

  private static KafkaRaftServer launch(final Properties props) {
    final KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    return server;
  }

  /**
   * Shuts the broker down as a crash-free stop would (clients see connection refused), keeping
   * its log directory, so that {@link #restart()} brings back the same topics, records and
   * committed offsets on the same ports. For outage tests.
   *
   * @throws IllegalStateException if closed
   */
  public synchronized void stop() {
    if (closed) {
      throw new IllegalStateException("embedded Kafka is closed");
    }
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
      LOG.info("Kafka on 127.0.0.1:{} stopped (data kept)", port);
    }
  }

  /**
   * Starts the broker again after {@link #stop()}, with the same configuration, ports and data,
   * returning once it answers metadata requests. Does nothing if it runs.
   *
   * @throws IllegalStateException if closed
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("embedded Kafka is closed");
    }
    if (server == null) {
      server = launch(props);
      awaitReady(Duration.ofSeconds(60));
      LOG.info("Kafka on 127.0.0.1:{} restarted", port);
    }
  }

  static Properties brokerProperties(final int clientPort, final int controllerPort,
      final Path logs) {
    final Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    p.setProperty("listeners",
        "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logs.toString());
    p.setProperty("num.partitions", "3");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "5");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "5");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // a shorter transaction abort timeout lets EOS recover quickly after a crashed producer
    p.setProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "10000");
    return p;
  }

  private static void format(final Path propsFile, final String clusterId,
      final boolean standalone) {
    final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    final List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c",
        propsFile.toString()));
    if (standalone) {
      args.add("--standalone");
    }
    final int code;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      code = StorageTool.execute(args.toArray(String[]::new), out);
    }
    if (code != 0) {
      throw new InfraException("kafka storage format failed (" + code + "): "
          + buffer.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady(final Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InfraException("interrupted while waiting for Kafka", e);
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new InfraException("Kafka did not become ready in " + timeout, e);
          }
        }
      }
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

}
