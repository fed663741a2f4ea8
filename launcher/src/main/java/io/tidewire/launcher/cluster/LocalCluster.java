package io.tidewire.launcher.cluster;

import io.tidewire.gateway.GatewaySettings;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.infra.FreePorts;
import io.tidewire.launcher.ChildPart;
import io.tidewire.launcher.TidewireStack;
import io.tidewire.processor.ProcessorSettings;
import io.tidewire.settings.KafkaSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Tidewire cluster on this machine, every part its own child JVM so that any of them can be
 * killed with SIGKILL while the rest carry on: N Kafka nodes (KRaft combined broker+controller,
 * all voters of one quorum; replication factor {@code min(3, N)} and {@code min.insync.replicas} 2
 * from three nodes on, for Tidewire's topics and Kafka's internal ones), the capture, processors
 * (one consumer group, a state directory each) and gateways (consecutive WebSocket ports), next to
 * an embedded PostgreSQL (started here, or the one the spec gives).
 *
 * <p>Parts are numbered from 1, as in their names: {@code broker(1)} is {@code broker-1}, Kafka
 * node id 1. Every child exits when this JVM dies ({@code TIDEWIRE_EXIT_WITH_PARENT}). A child
 * that exits on its own with a failure (a processor's exit code 2 after a fatal Kafka Streams
 * error) is restarted, as a container's restart policy would ({@link ChildPart#restartOnFailure});
 * one stopped or crashed through {@link Part}, or killed by hand ({@code kill -9}), stays down
 * until {@link Part#start()}. Children
 * are lean on memory (see {@link #JVM_OPTIONS}): those of a 3/2/2 cluster may use 3.7 GB of heap
 * at most, and the cluster runs on two cores.
 *
 * <p>Thread-safe for reading and for operating different parts concurrently; start and close
 * from one thread.
 */
public final class LocalCluster implements AutoCloseable {

  /** JVM options of the children, by role: small heaps, the serial collector, C1 for brokers. */
  public static final Map<String, List<String>> JVM_OPTIONS = Map.of(
      "broker", List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
      "capture", List.of("-Xmx384m", "-XX:+UseSerialGC"),
      "processor", List.of("-Xmx512m", "-XX:+UseSerialGC"),
      "gateway", List.of("-Xmx384m", "-XX:+UseSerialGC"));

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  private static final Duration BROKER_START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration PART_START_TIMEOUT = Duration.ofMinutes(2);
  /** Processors notice a dead peer after this (instead of Kafka's 45 s). */
  private static final String PROCESSOR_SESSION_TIMEOUT_MS = "10000";

  private final ClusterSpec spec;
  private final String jwtSecret;
  private final List<Part> brokers = new ArrayList<>();
  private final List<Part> processors = new ArrayList<>();
  private final List<Part> gateways = new ArrayList<>();
  private Part capture;
  private EmbeddedPostgres postgres;
  private boolean ownsPostgres;
  private String bootstrapServers;

  private LocalCluster(final ClusterSpec spec) {
    this.spec = spec;
    this.jwtSecret = Optional.ofNullable(spec.env().get(GatewaySettings.JWT_SECRET.name()))
        .orElseGet(LocalCluster::randomSecret);
  }

  /**
   * Starts PostgreSQL (unless the spec gives one), the brokers (concurrently: a quorum forms only
   * with a majority), the capture, the processors and the gateways, logging progress, and returns
   * once every part is ready. On failure stops what had started and rethrows.
   */
  public static LocalCluster start(final ClusterSpec spec) {
    final LocalCluster cluster = new LocalCluster(spec);
    try {
      cluster.startAll();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void startAll() {
    final long t0 = System.nanoTime();
    final int steps = 5;
    try {
      Files.createDirectories(spec.workDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + spec.workDir(), e);
    }
    if (spec.postgres().isPresent()) {
      postgres = spec.postgres().get();
      LOG.info("[1/{}] Using PostgreSQL on 127.0.0.1:{}", steps, postgres.port());
    } else {
      LOG.info("[1/{}] Starting PostgreSQL ...", steps);
      postgres = EmbeddedPostgres.start(spec.pgPort(), spec.workDir().resolve("postgres"));
      ownsPostgres = true;
    }

    LOG.info("[2/{}] Starting {} Kafka nodes (KRaft, one quorum; each a JVM) ...", steps,
        spec.brokers());
    final List<EmbeddedKafka.QuorumNode> quorum = new ArrayList<>();
    for (int i = 1; i <= spec.brokers(); i++) {
      quorum.add(new EmbeddedKafka.QuorumNode(i,
          spec.kafkaPort() > 0 ? spec.kafkaPort() + i - 1 : FreePorts.any(), FreePorts.any()));
    }
    bootstrapServers = quorum.stream().map(n -> "127.0.0.1:" + n.port())
        .collect(Collectors.joining(","));
    final String voters = quorum.stream()
        .map(n -> n.nodeId() + ":" + n.port() + ":" + n.controllerPort())
        .collect(Collectors.joining(","));
    final String clusterId = Uuid.randomUuid().toString();
    for (final EmbeddedKafka.QuorumNode n : quorum) {
      final String name = "broker-" + n.nodeId();
      final Path dir = spec.workDir().resolve(name);
      final List<String> args = List.of("--node-id", Integer.toString(n.nodeId()),
          "--voters", voters, "--cluster-id", clusterId,
          "--data-dir", dir.resolve("data").toString());
      brokers.add(part(name, "broker", args, Map.of(), BROKER_START_TIMEOUT,
          Map.of("kafka", n.port(), "controller", n.controllerPort())));
    }
    inParallel(brokers, LocalCluster::startLogged);
    awaitBrokers();
    LOG.info("      Kafka ready on {} ({} s)", bootstrapServers, secondsSince(t0));

    final Map<String, String> common = commonEnv();
    LOG.info("[3/{}] Starting the capture ...", steps);
    capture = part("capture", "capture", List.of(), common, PART_START_TIMEOUT, Map.of());
    startLogged(capture);

    LOG.info("[4/{}] Starting {} processor(s) ...", steps, spec.processors());
    for (int i = 1; i <= spec.processors(); i++) {
      final String name = "processor-" + i;
      final Map<String, String> env = new HashMap<>();
      env.put(ProcessorSettings.STATE_DIR.name(),
          spec.workDir().resolve(name).resolve("state").toString());
      env.put(ProcessorSettings.STREAMS.variableFor("session.timeout.ms"),
          PROCESSOR_SESSION_TIMEOUT_MS);
      env.put(ProcessorSettings.STREAMS.variableFor("heartbeat.interval.ms"), "3000");
      env.putAll(common);
      final Part p = part(name, "processor", List.of(), env, PART_START_TIMEOUT, Map.of());
      processors.add(p);
      startLogged(p);
    }

    LOG.info("[5/{}] Starting {} gateway(s) ...", steps, spec.gateways());
    for (int i = 1; i <= spec.gateways(); i++) {
      final String name = "gateway-" + i;
      final int port = spec.gatewayPort() > 0 ? spec.gatewayPort() + i - 1 : FreePorts.any();
      final Map<String, String> env = new HashMap<>(common);
      env.put(GatewaySettings.HOST.name(), spec.gatewayHost());
      env.put(GatewaySettings.PORT.name(), Integer.toString(port));
      final Part g = part(name, "gateway", spec.demoPage() ? List.of("--demo-page") : List.of(),
          env, PART_START_TIMEOUT, Map.of("ws", port));
      gateways.add(g);
    }
    inParallel(gateways, LocalCluster::startLogged);
    LOG.info("Local cluster ready in {} s", secondsSince(t0));
  }

  private static void startLogged(final Part p) {
    final long t = System.nanoTime();
    p.start();
    LOG.info("      {} ready: pid {}, {} ({} s)", p.name(), p.pid().orElse(-1), p.ports(),
        secondsSince(t));
  }

  /** Settings of capture, processors and gateways: PostgreSQL, every broker, replication. */
  private Map<String, String> commonEnv() {
    final Map<String, String> env = new HashMap<>(
        TidewireStack.envFor(postgres, bootstrapServers, jwtSecret));
    env.put(KafkaSettings.TOPIC_REPLICATION_FACTOR.name(),
        Integer.toString(EmbeddedKafka.replicationFactor(spec.brokers())));
    env.put(KafkaSettings.TOPIC_MIN_INSYNC_REPLICAS.name(),
        Integer.toString(EmbeddedKafka.minInSyncReplicas(spec.brokers())));
    env.putAll(spec.env());
    return env;
  }

  private Part part(final String name, final String role, final List<String> args,
      final Map<String, String> env, final Duration timeout, final Map<String, Integer> ports) {
    final Path logDir = spec.workDir().resolve(name);
    final String command = "processor".equals(role) ? "process" : role;
    return new Part(name, role, new ChildPart(command, args, env, JVM_OPTIONS.get(role), logDir,
        timeout).restartOnFailure(), ports, logDir);
  }

  /** Waits until every broker is a registered node of the cluster. */
  private void awaitBrokers() {
    final long deadline = System.nanoTime() + BROKER_START_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == brokers.size()) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the brokers", e);
        } catch (Exception e) {
          // not yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the brokers did not form a cluster of "
              + brokers.size() + " within " + BROKER_START_TIMEOUT);
        }
        sleepQuietly(Duration.ofMillis(200));
      }
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
  }

  private static void sleepQuietly(final Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Runs {@code action} on every part at once, each on its own thread; rethrows the first failure. */
  private static void inParallel(final Collection<Part> parts, final Consumer<Part> action) {
    final List<Thread> threads = new ArrayList<>();
    final List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
    for (final Part p : parts) {
      final Thread t = new Thread(() -> {
        try {
          action.accept(p);
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }, "cluster-" + p.name());
      threads.add(t);
      t.start();
    }
    for (final Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    if (!failures.isEmpty()) {
      final RuntimeException first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }

  private static long secondsSince(final long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000_000;
  }

  private static String randomSecret() {
    final byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** {@code 127.0.0.1:p1,127.0.0.1:p2,...}: every broker. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The PostgreSQL the parts use. */
  public EmbeddedPostgres postgres() {
    return postgres;
  }

  /** The gateways' HS256 secret: {@code TIDEWIRE_JWT_SECRET} of the spec's env, else a random one. */
  public String jwtSecret() {
    return jwtSecret;
  }

  /** Broker {@code i} (from 1; Kafka node id {@code i}). */
  public Part broker(final int i) {
    return brokers.get(i - 1);
  }

  public Part capture() {
    return capture;
  }

  /** Processor {@code i} (from 1). */
  public Part processor(final int i) {
    return processors.get(i - 1);
  }

  /** Gateway {@code i} (from 1). */
  public Part gateway(final int i) {
    return gateways.get(i - 1);
  }

  public List<Part> brokers() {
    return List.copyOf(brokers);
  }

  public List<Part> processors() {
    return List.copyOf(processors);
  }

  public List<Part> gateways() {
    return List.copyOf(gateways);
  }

  /** Gateway {@code i}'s WebSocket port. */
  public int gatewayPort(final int i) {
    return gateway(i).ports().get("ws");
  }

  /** {@code ws://127.0.0.1:PORT/v1/realtime} of gateway {@code i} (from 1). */
  public URI gatewayUri(final int i) {
    return URI.create("ws://127.0.0.1:" + gatewayPort(i) + "/v1/realtime");
  }

  /** Every part, PostgreSQL first, then brokers, capture, processors, gateways. */
  public List<PartInfo> parts() {
    final List<PartInfo> rows = new ArrayList<>();
    rows.add(new PartInfo("postgres", "postgres", postgresPid(), Map.of("postgres", postgres.port())));
    brokers.forEach(p -> rows.add(p.info()));
    if (capture != null) {
      rows.add(capture.info());
    }
    processors.forEach(p -> rows.add(p.info()));
    gateways.forEach(p -> rows.add(p.info()));
    return rows;
  }

  private OptionalLong postgresPid() {
    if (!ownsPostgres) {
      return OptionalLong.empty();
    }
    try {
      final List<String> lines = Files.readAllLines(
          spec.workDir().resolve("postgres").resolve("postmaster.pid"));
      return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Writes {@link #parts()} as JSON to {@code file}. */
  public void writePartsFile(final Path file) {
    PartsTable.write(file, parts());
  }

  /** Stops every broker gracefully, all at once (the whole Kafka cluster goes down). */
  public void stopAllBrokers() {
    inParallel(brokers, Part::stop);
  }

  /** Starts every broker that is down, all at once, and waits until the cluster has them all. */
  public void startAllBrokers() {
    inParallel(brokers.stream().filter(b -> b.pid().isEmpty()).toList(), Part::start);
    awaitBrokers();
  }

  /**
   * The broker (index from 1 = node id) that leads the most partitions of {@code topics} (all
   * topics, internal ones included, when none are named); the lowest index on a tie.
   *
   * @throws IllegalStateException if the cluster cannot be asked or no partition has a leader
   */
  public int brokerLeadingMostPartitions(final String... topics) {
    try (Admin admin = admin()) {
      final Collection<String> names = topics.length > 0 ? List.of(topics)
          : admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
              .get(30, TimeUnit.SECONDS);
      final Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
          .get(30, TimeUnit.SECONDS);
      final Map<Integer, Integer> led = new TreeMap<>();
      for (final TopicDescription d : described.values()) {
        for (final TopicPartitionInfo p : d.partitions()) {
          if (p.leader() != null && !p.leader().isEmpty()) {
            led.merge(p.leader().id(), 1, Integer::sum);
          }
        }
      }
      return led.entrySet().stream()
          .max(Map.Entry.<Integer, Integer>comparingByValue()
              .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .map(Map.Entry::getKey)
          .orElseThrow(() -> new IllegalStateException("no partition of " + names + " has a leader"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot describe " + List.of(topics) + ": " + e, e);
    }
  }

  /** Stops gateways, processors, capture, brokers (each group at once), then PostgreSQL if it started it. */
  @Override
  public void close() {
    quietly(() -> inParallel(gateways, Part::stop));
    quietly(() -> inParallel(processors, Part::stop));
    if (capture != null) {
      quietly(capture::stop);
    }
    quietly(() -> inParallel(brokers, Part::stop));
    if (ownsPostgres && postgres != null) {
      quietly(postgres::close);
    }
  }

  private static void quietly(final Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("while stopping the cluster: {}", e.toString());
    }
  }
}
