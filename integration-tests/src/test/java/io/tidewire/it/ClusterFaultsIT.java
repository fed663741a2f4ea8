package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.infra.Directories;
import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.launcher.DevTokens;
import io.tidewire.launcher.cluster.ClusterSpec;
import io.tidewire.launcher.cluster.LocalCluster;
import io.tidewire.launcher.cluster.Part;
import io.tidewire.processor.ProcessorSettings;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import io.tidewire.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults of a multi-process cluster, each during a steady write load with clients on both
 * gateways, and the ledger checked after each: every committed change reaches each client exactly
 * once after de-duplication by id, in per-row order, and no client ever sees a gap.
 *
 * <p>One {@link LocalCluster} (3 KRaft brokers with replication factor 3 and
 * {@code min.insync.replicas} 2, the capture, 2 processors, 2 gateways, each a child JVM) serves
 * every scenario in order; PostgreSQL is embedded here and stopped and started through
 * {@link PostgresProcess}. Each scenario has users of its own, two {@link FailoverClient}s per
 * user (one starting on each gateway) and a {@link LoadWriter}. What the clients saw (recovery
 * times, worst latency, time away, gaps, duplicates) goes to {@code target/fault-summary.txt}
 * ({@link FaultFigures}); it is measured, not asserted. After a scenario every part is running
 * again and every partition fully replicated before the next starts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsIT {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFaultsIT.class);
  private static final int USERS = 6;
  /** One change every 250 ms, each user in turn: one change per user every 1.5 s. */
  private static final long WRITE_INTERVAL_MS = 250;
  /** Generous: two cores, a dozen JVMs, other builds beside. */
  private static final Duration WAIT = Duration.ofMinutes(4);
  /** The Kafka outage: the whole cluster down for two minutes. */
  private static final Duration OUTAGE = Duration.ofMinutes(2);
  private static final String USER_EVENTS = Topics.USER_EVENTS.name();
  private static final int GROWN_PARTITIONS = 6;

  private static EmbeddedPostgres postgres;
  private static PostgresProcess postgresProcess;
  private static boolean postgresDown;
  private static LocalCluster cluster;
  private static DevTokens tokens;
  private static PGSimpleDataSource db;
  private static Ledger ledger;
  private static FaultFigures figures;

  @BeforeAll
  static void startCluster() throws Exception {
    final Path work = Path.of("target", "cluster-faults-it").toAbsolutePath();
    Directories.deleteRecursively(work);
    postgres = EmbeddedPostgres.start(0, work.resolve("postgres"));
    postgresProcess = PostgresProcess.of(work.resolve("postgres"));
    cluster = LocalCluster.start(ClusterSpec.builder().brokers(3).processors(2).gateways(2)
        .workDir(work).postgres(postgres)
        .env(Map.of(
            // gateways notice added partitions within seconds instead of 30 s
            GatewaySettings.METADATA_CHECK_INTERVAL.name(), "3",
            // the processors' producers learn of added partitions within seconds, not 5 min
            ProcessorSettings.STREAMS.variableFor("metadata.max.age.ms"), "10000"))
        .build());
    tokens = new DevTokens(cluster.jwtSecret());
    db = new PGSimpleDataSource();
    db.setUrl(postgres.jdbcUrl());
    db.setUser(postgres.user());
    db.setPassword(postgres.password());
    db.setConnectTimeout(5);
    db.setSocketTimeout(30);
    ledger = new Ledger(Ledger.Statements.on(db));
    figures = new FaultFigures(Path.of("target", "fault-summary.txt"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    if (postgresProcess != null) {
      postgresProcess.stopIfRunning();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (figures != null) {
      LOG.info("fault figures (target/fault-summary.txt):\n{}", figures.table());
    }
  }

  /** Whatever a failed scenario left down is started again, so the next one has a whole cluster. */
  @AfterEach
  void restoreCluster() {
    if (postgresDown) {
      postgresProcess.start();
      postgresDown = false;
    }
    startAllBrokers();
    for (final Part p : List.of(cluster.capture(), cluster.processor(1), cluster.processor(2),
        cluster.gateway(1), cluster.gateway(2))) {
      if (p.pid().isEmpty()) {
        p.start();
      }
    }
    awaitFullyReplicated();
  }

  @Test
  @Order(1)
  void oversizedCommentGoesToTheDeadLetterTopicAndNothingElseStops() throws Exception {
    try (Scenario s = Scenario.begin("2 MB comment body", newUsers(USERS))) {
      final UUID author = s.users.get(0);
      final UUID video = UUID.randomUUID();
      sql("INSERT INTO videos (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
          + "'https://cdn.example/big.mp4', 'faults')", video, author);
      final UUID comment = UUID.randomUUID();
      s.fault();
      sql("INSERT INTO comments (id, user_id, content_type, content_id, body) "
          + "VALUES (?, ?, 'video', ?, ?)", comment, author, video, incompressibleText(2 << 20));
      final ConsumerRecord<byte[], byte[]> letter = awaitDeadLetter(comment);
      final long deadLetterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s.faultAt);
      final JsonNode value = WsClient.JSON.readTree(letter.value());
      assertThat(value.path("table").asText()).isEqualTo("public.comments");
      assertThat(value.path("reason").asText()).isEqualTo("record_too_large");
      assertThat(value.path("sizeBytes").asLong()).isGreaterThan(2L << 20);
      assertThat(header(letter, DeadLetterHeaders.REASON)).startsWith("record_too_large");

      s.awaitFlowingSince(s.faultAt);
      s.finish("dead letter on realtime.dlq after " + String.format("%,d", deadLetterMs)
          + " ms (record_too_large, " + String.format("%,d", value.path("sizeBytes").asLong())
          + " bytes)");
    }
  }

  @Test
  @Order(2)
  void clientsOfAKilledGatewayResumeOnTheOtherWithoutGap() throws Exception {
    try (Scenario s = Scenario.begin("gateway SIGKILL", newUsers(USERS))) {
      s.fault();
      cluster.gateway(1).crash();
      await().atMost(WAIT).until(() -> s.clients.keySet().stream()
          .filter(c -> c.name().endsWith("@gateway-1"))
          .allMatch(c -> c.resumes() > 0 && c.connected() && c.gateway() == 1));
      s.awaitFlowingSince(s.faultAt);
      cluster.gateway(1).start();
      s.finish("gateway-1 started again, clients stay on gateway-2");
      assertThat(s.clients.keySet()).filteredOn(c -> c.name().endsWith("@gateway-1"))
          .allSatisfy(c -> assertThat(c.resumes()).isPositive());
      assertThat(s.clients.keySet()).as("resumes answered recovered:true (no snapshot)")
          .allSatisfy(c -> assertThat(c.allRecovered()).as(c.toString()).isTrue());
    }
  }

  @Test
  @Order(3)
  void killedProcessorsTasksMoveAndComeBackWithoutLossOrDuplicate() throws Exception {
    try (Scenario s = Scenario.begin("processor SIGKILL + restart", newUsers(USERS))) {
      s.fault();
      cluster.processor(2).crash();
      s.awaitFlowingSince(s.faultAt);
      cluster.processor(2).start();
      s.restarted();
      s.awaitFlowingSince(s.restartAt.getAsLong());
      s.finish("processor-2 killed; processor-1 took its tasks, then shared them again");
    }
  }

  @Test
  @Order(4)
  void killingTheBrokerLeadingMostPartitionsLosesNothing() throws Exception {
    try (Scenario s = Scenario.begin("broker SIGKILL (most leaders) + restart",
        newUsers(USERS))) {
      final int leader = cluster.brokerLeadingMostPartitions();
      s.fault();
      cluster.broker(leader).crash();
      s.awaitFlowingSince(s.faultAt);
      cluster.broker(leader).start();
      s.restarted();
      s.awaitFlowingSince(s.restartAt.getAsLong());
      awaitFullyReplicated();
      s.finish("broker-" + leader + " killed and started again, back in every ISR");
    }
  }

  @Test
  @Order(5)
  void postgresFastShutdownAndRestartLosesNothing() throws Exception {
    try (Scenario s = Scenario.begin("PostgreSQL fast shutdown + restart", newUsers(USERS))) {
      final long failedBefore = s.load.failedStatements();
      s.fault();
      postgresDown = true;
      postgresProcess.stopFast();
      // the writers notice: their statements fail while the server is down
      await().atMost(WAIT).until(() -> s.load.failedStatements() >= failedBefore + 8);
      postgresProcess.start();
      postgresDown = false;
      s.restarted();
      s.awaitFlowingSince(s.restartAt.getAsLong());
      s.finish((s.load.failedStatements() - failedBefore) + " statements failed, "
          + s.load.foundCommitted() + " of them had committed");
    }
  }

  @Test
  @Order(6)
  void addingPartitionsToUserEventsLeavesNoGap() throws Exception {
    // half the users move to one of the new partitions (their key's hash modulo 6 is not the one
    // modulo 3), half stay
    final List<UUID> users = new ArrayList<>(usersOnGrowth(USERS / 2, true));
    users.addAll(usersOnGrowth(USERS - USERS / 2, false));
    try (Admin admin = admin(); Scenario s = Scenario.begin("user-events partitions 3 -> 6",
        insertUsers(users))) {
      assertThat(admin.describeTopics(List.of(USER_EVENTS)).allTopicNames().get()
          .get(USER_EVENTS).partitions()).hasSize(3);
      s.fault();
      admin.createPartitions(Map.of(USER_EVENTS, NewPartitions.increaseTo(GROWN_PARTITIONS)))
          .all().get(1, TimeUnit.MINUTES);
      // every gateway follows the new count and closes its sessions with 1001: all resume
      await().atMost(WAIT).until(() -> s.clients.keySet().stream()
          .allMatch(c -> c.resumes() > 0 && c.connected()));
      // the processors' producers write to the new partitions once they see them. Until every
      // producer has, a fresh subscription of a user hashed to a new partition misses what a
      // stale producer still writes to the old one (PROTOCOL.md, "Limits"), so this scenario
      // ends only once each new partition has records: new partition q is written by the task
      // of the users with hash % 3 == q - 3, and one moving user of each is in the load
      await().atMost(WAIT).until(() -> newPartitionsHaveRecords(admin));
      s.restarted();
      s.awaitFlowingSince(s.restartAt.getAsLong());
      final FaultFigures.Row row = s.finish("after = from the first records in the new "
          + "partitions");
      assertThat(s.clients.keySet()).as("resumes answered recovered:true (no snapshot)")
          .allSatisfy(c -> assertThat(c.allRecovered()).as(c.toString()).isTrue());
      assertThat(row.gaps()).isZero();
    }
  }

  @Test
  @Order(7)
  void wholeKafkaClusterDownForTwoMinutesLosesNothing() throws Exception {
    try (Scenario s = Scenario.begin("Kafka cluster stopped 2 min + started", newUsers(USERS))) {
      s.fault();
      cluster.stopAllBrokers();
      // The outage lasts a fixed two minutes, as the issue specifies: this is the one wait of
      // the suite that is a duration rather than a condition. Meanwhile no broker may come back
      // and PostgreSQL keeps taking the load's commits.
      final int committedBefore = s.load.committed();
      await().during(OUTAGE).atMost(OUTAGE.plusMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> cluster.brokers().stream().allMatch(b -> b.pid().isEmpty()));
      assertThat(s.load.committed()).isGreaterThan(committedBefore);
      startAllBrokers();
      s.restarted();
      s.awaitFlowingSince(s.restartAt.getAsLong());
      awaitFullyReplicated();
      s.finish((s.load.committed() - committedBefore) + " changes committed after the stop");
    }
  }

  // ---- one scenario: users, clients on both gateways, the load, the figures

  private static final class Scenario implements AutoCloseable {
    final String name;
    final List<UUID> users;
    final Map<FailoverClient, UUID> clients = new LinkedHashMap<>();
    LoadWriter load;
    long faultAt;
    OptionalLong restartAt = OptionalLong.empty();
    /** Restarts by the cluster's supervisor (a part exiting with a failure) when it began. */
    final Map<String, Integer> supervisorRestarts = supervisorRestarts();

    private Scenario(final String name, final List<UUID> users) {
      this.name = name;
      this.users = users;
    }

    /** Connects each user's two clients, starts its job and the load, waits until it flows. */
    static Scenario begin(final String name, final List<UUID> users) throws SQLException {
      LOG.info("==== scenario: {}", name);
      final Scenario s = new Scenario(name, users);
      try {
        final List<URI> gateways = List.of(cluster.gatewayUri(1), cluster.gatewayUri(2));
        for (final UUID u : users) {
          for (int g = 0; g < gateways.size(); g++) {
            s.clients.put(new FailoverClient(u + "@gateway-" + (g + 1), gateways, g,
                () -> tokens.mint(u.toString(), Duration.ofMinutes(30))), u);
          }
          ledger.startJob(u);
        }
        final long start = System.nanoTime();
        s.load = new LoadWriter(ledger, db, users, WRITE_INTERVAL_MS);
        s.awaitFlowingSince(start);
        return s;
      } catch (RuntimeException | SQLException e) {
        s.close();
        throw e;
      }
    }

    void fault() {
      faultAt = System.nanoTime();
      LOG.info("---- fault: {}", name);
    }

    void restarted() {
      restartAt = OptionalLong.of(System.nanoTime());
      LOG.info("---- restarted: {}", name);
    }

    /** Until every client has had an event of a change committed after {@code since}. */
    void awaitFlowingSince(final long since) {
      try {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
            clients.keySet().stream().allMatch(c -> flowingSince(c, since)));
      } catch (ConditionTimeoutException e) {
        // the first line is what a build summary shows: say which parts and clients are stuck
        final List<String> stuck = clients.keySet().stream().filter(c -> !flowingSince(c, since))
            .map(c -> c.name() + (c.connected() ? "" : " (disconnected)")).toList();
        final String parts = partsBrief();
        LOG.error("not flowing after {}: {} of {} clients stuck {}; parts: {}", WAIT, stuck.size(),
            clients.size(), stuck, parts);
        logTails();
        throw new AssertionError("not flowing after " + WAIT + " (" + stuck.size() + " of "
            + clients.size() + " clients stuck); parts: " + parts, e);
      }
    }

    private boolean flowingSince(final FailoverClient c, final long since) {
      return c.received().stream().anyMatch(r -> Ledger.Change.of(r.event())
          .map(load::committedAt).orElse(OptionalLong.empty()).orElse(Long.MIN_VALUE) > since);
    }

    /**
     * Stops the load, waits until every client has every committed change, asserts the ledger
     * for each, and records the figures.
     */
    FaultFigures.Row finish(final String notes) {
      await().atMost(WAIT).until(load::stopAndSettle);
      final AtomicReference<String> behind = new AtomicReference<>("");
      final Set<UUID> behindUsers = ConcurrentHashMap.newKeySet();
      try {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
          final StringBuilder why = new StringBuilder();
          behindUsers.clear();
          clients.forEach((c, u) -> {
            if (ledger.receivedCount(u, c.events()) < ledger.committedCount(u)) {
              why.append(c).append(": ").append(ledger.describe(u, c.events())).append('\n');
              behindUsers.add(u);
            }
          });
          behind.set(why.toString());
          return why.isEmpty();
        });
      } catch (ConditionTimeoutException e) {
        final String where = userEventsWhereabouts(behindUsers);
        LOG.error("clients still missing changes after {}; parts: {}; in {}: {}", WAIT,
            partsBrief(), USER_EVENTS, where);
        logTails();
        throw new AssertionError("clients still missing changes after " + WAIT + "; in "
            + USER_EVENTS + ": " + where + "\n" + behind.get(), e);
      }
      clients.forEach((c, u) -> {
        assertThat(c.failure()).as(c.name()).isEmpty();
        ledger.assertHolds(u, c.events());
      });
      final Map<String, Integer> restarted = new LinkedHashMap<>();
      supervisorRestarts().forEach((part, n) -> {
        if (n > supervisorRestarts.get(part)) {
          restarted.put(part, n - supervisorRestarts.get(part));
        }
      });
      final FaultFigures.Row row = figures.add(name, ledger, load, clients, faultAt, restartAt,
          restarted.isEmpty() ? notes
              : notes + "; exited with a failure and restarted by the supervisor: " + restarted);
      LOG.info("figures: {}", row);
      return row;
    }

    @Override
    public void close() {
      clients.keySet().forEach(FailoverClient::close);
      if (load != null) {
        load.close();
      }
    }
  }

  // ---- helpers

  private static List<Part> allParts() {
    final List<Part> parts = new ArrayList<>(cluster.brokers());
    parts.add(cluster.capture());
    parts.addAll(cluster.processors());
    parts.addAll(cluster.gateways());
    return parts;
  }

  private static Map<String, Integer> supervisorRestarts() {
    final Map<String, Integer> restarts = new LinkedHashMap<>();
    allParts().forEach(p -> restarts.put(p.name(), p.restarts()));
    return restarts;
  }

  private static List<UUID> newUsers(final int n) throws SQLException {
    final List<UUID> users = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      users.add(UUID.randomUUID());
    }
    return insertUsers(users);
  }

  private static List<UUID> insertUsers(final List<UUID> users) throws SQLException {
    for (final UUID u : users) {
      sql("INSERT INTO users (id, credits) VALUES (?, 100)", u);
    }
    return users;
  }

  /**
   * Users whose events move to another partition when {@code realtime.user-events} grows from 3
   * to 6 partitions ({@code moving}; the i-th to new partition 3 + i % 3, so every new partition
   * gets one), or stay on theirs: the producer's default partitioner (murmur2 of the key, the user
   * id as a string).
   */
  private static List<UUID> usersOnGrowth(final int n, final boolean moving) {
    final List<UUID> users = new ArrayList<>();
    while (users.size() < n) {
      final UUID u = UUID.randomUUID();
      final int partition = Topics.partitionOf(u.toString(), GROWN_PARTITIONS);
      if (moving ? partition == 3 + users.size() % 3 : partition < 3) {
        users.add(u);
      }
    }
    return users;
  }

  private static boolean newPartitionsHaveRecords(final Admin admin) throws Exception {
    final Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
        new LinkedHashMap<>();
    for (int p = 3; p < GROWN_PARTITIONS; p++) {
      latest.put(new TopicPartition(USER_EVENTS, p),
          org.apache.kafka.clients.admin.OffsetSpec.latest());
    }
    return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
        .allMatch(o -> o.offset() > 0);
  }

  /** Text of {@code length} random base64 characters: compression cannot shrink it below 1 MiB. */
  private static String incompressibleText(final int length) {
    final byte[] bytes = new byte[length * 3 / 4];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** Reads realtime.dlq from the start until the dead letter of {@code comment}'s change. */
  private static ConsumerRecord<byte[], byte[]> awaitDeadLetter(final UUID comment) {
    final AtomicReference<ConsumerRecord<byte[], byte[]>> found = new AtomicReference<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      final List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEAD_LETTER.name())
          .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(WAIT).until(() -> {
        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key() != null
              && new String(r.key(), StandardCharsets.UTF_8).contains(comment.toString())) {
            found.set(r);
          }
        }
        return found.get() != null;
      });
    }
    return found.get();
  }

  private static String header(final ConsumerRecord<byte[], byte[]> r, final String name) {
    return Optional.ofNullable(r.headers().lastHeader(name)).map(Header::value)
        .map(v -> new String(v, StandardCharsets.UTF_8)).orElse("");
  }

  /**
   * Starts the brokers that are down. A broker not ready within the cluster's start timeout (3 min)
   * is stopped again by the cluster; on a loaded two-core machine a broker recovering its logs
   * after the whole cluster went down can take longer, so those are started again, three times at
   * most.
   */
  private static void startAllBrokers() {
    for (int attempt = 1; ; attempt++) {
      try {
        cluster.startAllBrokers();
        return;
      } catch (IllegalStateException e) {
        if (attempt == 3) {
          throw e;
        }
        LOG.warn("brokers not ready (attempt {}), starting those down again: {}", attempt,
            e.getMessage());
      }
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Each part in a few words: {@code down}, or its {@code /health} answer without the part's
   * name (state, reason). For the first line of a failure, which is all a build summary shows.
   */
  private static String partsBrief() {
    final List<String> brief = new ArrayList<>();
    for (final Part p : allParts()) {
      brief.add(p.name() + "=" + (p.pid().isEmpty() ? "down" : health(p))
          + (p.restarts() > 0 ? " (restarted " + p.restarts() + "x)" : ""));
    }
    return String.join(", ", brief);
  }

  private static String health(final Part p) {
    try {
      final HttpResponse<String> r = HTTP.send(HttpRequest
              .newBuilder(URI.create("http://127.0.0.1:" + p.ports().get("ops") + "/health"))
              .timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      final String body = r.body().replaceAll("\\s+", " ")
          .replaceAll("\"part\":\"[^\"]*\",?", "");
      return r.statusCode() + (body.length() > 200 ? body.substring(0, 200) + "…" : body);
    } catch (IOException e) {
      return "no answer (" + e.getClass().getSimpleName() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The last warnings and errors of each part's newest log, Kafka's connection noise left out. */
  private static void logTails() {
    for (final Part p : allParts()) {
      try (var files = Files.list(p.logDir())) {
        final Optional<Path> newest = files.filter(f -> f.getFileName().toString().endsWith(".log"))
            .max(Comparator.comparing(f -> {
          try {
            return Files.getLastModifiedTime(f);
          } catch (IOException e) {
            return FileTime.fromMillis(0);
          }
        }));
        if (newest.isEmpty()) {
          continue;
        }
        final List<String> lines = Files.readAllLines(newest.get()).stream()
            .filter(l -> (l.contains(" WARN ") || l.contains(" ERROR "))
                && !l.contains("NetworkClient"))
            .toList();
        LOG.error("{}: last warnings of {}:\n{}", p.name(), newest.get(),
            String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
      } catch (IOException | UncheckedIOException e) {
        LOG.error("{}: cannot read its log: {}", p.name(), e.toString());
      }
    }
  }

  /**
   * Where the records keyed by each of {@code users} are in {@code realtime.user-events}: the
   * count per partition (committed records), and the partition a gateway maps the user to at the
   * topic's current partition count. Records of one user in two partitions mean a producer used a
   * partition count other than the gateways'.
   */
  private static String userEventsWhereabouts(final Set<UUID> users) {
    if (users.isEmpty()) {
      return "{}";
    }
    final Map<String, Map<Integer, Integer>> found = new LinkedHashMap<>();
    users.forEach(u -> found.put(u.toString(), new TreeMap<>()));
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      final List<TopicPartition> partitions = consumer.partitionsFor(USER_EVENTS).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      final long giveUp = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < giveUp) {
        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          final Map<Integer, Integer> counts = r.key() == null ? null
              : found.get(new String(r.key(), StandardCharsets.UTF_8));
          if (counts != null) {
            counts.merge(r.partition(), 1, Integer::sum);
          }
        }
      }
      final StringBuilder out = new StringBuilder();
      found.forEach((u, counts) -> out.append(u).append(" maps to ")
          .append(Topics.partitionOf(u, partitions.size())).append(" of ")
          .append(partitions.size()).append(", records per partition ").append(counts)
          .append("; "));
      return out.toString();
    } catch (RuntimeException e) {
      return "not read (" + e + ")";
    }
  }

  /** Until every partition of every topic has all its replicas in sync. */
  private static void awaitFullyReplicated() {
    try (Admin admin = admin()) {
      await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
        final List<String> names = new ArrayList<>(admin.listTopics(
            new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS));
        final Map<String, TopicDescription> described = admin.describeTopics(names)
            .allTopicNames().get(10, TimeUnit.SECONDS);
        return described.values().stream().flatMap(d -> d.partitions().stream())
            .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size());
      });
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers(), AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000));
  }

  private static void sql(final String sql, final Object... args) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }
}
