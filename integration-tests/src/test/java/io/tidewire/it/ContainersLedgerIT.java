package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.capture.CaptureSettings;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.infra.Migrations;
import io.tidewire.launcher.ChildPart;
import io.tidewire.launcher.TidewireSettings;
import io.tidewire.processor.ProcessorSettings;
import io.tidewire.settings.KafkaSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The ledger on the images the deployment uses instead of the embedded servers: PostgreSQL 16
 * ({@code postgres:16}, logical WAL) and Kafka ({@code apache/kafka}, the release of the Kafka
 * clients) in containers started by Testcontainers; the capture and the processor as child JVMs
 * through the real command line, the gateway in this JVM, real clients that reconnect and resume.
 * The capture is killed (SIGKILL) while changes are committed and started again: every client
 * still sees each change of its own user exactly once after de-duplication by id, in per-row
 * order, and nothing of anyone else's.
 *
 * <p>Needs a Docker engine, so it runs only with {@code -Pcontainers} (which sets
 * {@code tidewire.containers=true}); the default build skips it with a message. With the profile
 * and no engine it fails: asking for it and not getting it is an error.
 */
class ContainersLedgerIT {

  private static final Logger LOG = LoggerFactory.getLogger(ContainersLedgerIT.class);
  private static final String POSTGRES_IMAGE = "postgres:16";
  private static final int USERS = 3;
  private static final int ROUNDS = 30;

  private static PostgreSQLContainer postgres;
  private static KafkaContainer kafka;
  private static PGSimpleDataSource db;
  private static ChildPart capture;
  private static ChildPart processor;
  private static Gateway gateway;

  @BeforeAll
  static void startContainersAndPipeline() {
    if (!Boolean.getBoolean("tidewire.containers")) {
      final String why = "ContainersLedgerIT skipped: it needs a Docker engine; run it with "
          + "./mvnw -B -Pcontainers -pl integration-tests -am verify -Dit.test=ContainersLedgerIT -Dtest=none "
          + "-Dsurefire.failIfNoSpecifiedTests=false";
      LOG.warn(why);
      assumeTrue(false, why);
    }
    assertThat(DockerClientFactory.instance().isDockerAvailable())
        .as("-Pcontainers needs a Docker engine (Testcontainers found none: DOCKER_HOST, /var/run/docker.sock)")
        .isTrue();

    postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
        .withDatabaseName("tidewire").withUsername("tidewire").withPassword("tidewire")
        .withCommand("postgres", "-c", "fsync=off", "-c", "wal_level=logical", "-c", "max_replication_slots=10",
            "-c", "max_wal_senders=10", "-c", "synchronous_commit=on");
    // the release of the Kafka clients (kafka.version in the root pom, passed by the profile)
    final String kafkaVersion = System.getProperty("tidewire.kafka.version");
    assertThat(kafkaVersion).as("tidewire.kafka.version (set by -Pcontainers)").isNotBlank();
    kafka = new KafkaContainer("apache/kafka:" + kafkaVersion);
    postgres.start();
    kafka.start();

    db = new PGSimpleDataSource();
    db.setURL(postgres.getJdbcUrl());
    db.setUser(postgres.getUsername());
    db.setPassword(postgres.getPassword());
    Migrations.apply(db);

    final Map<String, String> env = new HashMap<>();
    env.put(KafkaSettings.BOOTSTRAP.name(), kafka.getBootstrapServers());
    env.put(CaptureSettings.PG_HOST.name(), postgres.getHost());
    env.put(CaptureSettings.PG_PORT.name(), Integer.toString(postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)));
    env.put(CaptureSettings.PG_DATABASE.name(), postgres.getDatabaseName());
    env.put(CaptureSettings.PG_USER.name(), postgres.getUsername());
    env.put(CaptureSettings.PG_PASSWORD.name(), postgres.getPassword());
    env.put(GatewaySettings.JWT_SECRET.name(), SharedStack.SECRET);
    env.put(GatewaySettings.HOST.name(), "127.0.0.1");
    env.put(GatewaySettings.PORT.name(), "0");
    env.put(GatewaySettings.OPS_ON_MAIN_PORT.name(), "true");
    env.put(ProcessorSettings.STATE_DIR.name(),
        System.getProperty("java.io.tmpdir") + "/containers-streams-" + UUID.randomUUID());
    env.put("TIDEWIRE_KAFKA_STREAMS_MAIN_CONSUMER_GROUP_INSTANCE_ID", "containers-processor");

    final Path logs = Path.of("target");
    capture = new ChildPart("capture", env, List.of("-Xmx512m"), logs).start();
    processor = new ChildPart("process", env, List.of("-Xmx512m"), logs).start();
    gateway = new Gateway(GatewayConfig.fromEnv(env, TidewireSettings.ALL), new SimpleMeterRegistry());
    gateway.start();
  }

  @AfterAll
  static void stopEverything() {
    if (gateway != null) {
      gateway.close();
    }
    for (final ChildPart part : new ChildPart[] {processor, capture}) {
      if (part != null) {
        part.stop();
      }
    }
    if (kafka != null) {
      kafka.stop();
    }
    if (postgres != null) {
      postgres.stop();
    }
  }

  @Test
  void everyChangeReachesItsUserOnceInOrderThroughACaptureCrash() throws Exception {
    final URI endpoint = URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/realtime");
    final Ledger.Statements sql = Ledger.Statements.on(db);
    final Ledger ledger = new Ledger(sql);
    final Map<UUID, Recorder> recorders = new HashMap<>();
    final List<UUID> users = new ArrayList<>();
    try {
      for (int i = 0; i < USERS; i++) {
        final UUID user = UUID.randomUUID();
        sql.run("INSERT INTO users (id, credits) VALUES (?, 100)", user);
        users.add(user);
        recorders.put(user, new Recorder(endpoint, user, Optional.empty()));
        ledger.startJob(user);
      }
      for (int round = 1; round <= ROUNDS; round++) {
        if (round == ROUNDS / 3) {
          capture.crash();
        }
        if (round == 2 * ROUNDS / 3) {
          capture.start(); // the changes committed while it was down are in the slot
        }
        for (final UUID user : users) {
          ledger.advance(user);
        }
      }

      await().atMost(Duration.ofMinutes(3)).until(() -> users.stream().allMatch(u ->
          ledger.receivedCount(u, recorders.get(u).events()) >= ledger.committedCount(u)));
      for (final UUID user : users) {
        ledger.assertHolds(user, recorders.get(user).events());
      }
      LOG.info("containers: ledger holds for {} users, {} changes committed", USERS, ledger.committedTotal());
    } finally {
      recorders.values().forEach(Recorder::close);
    }
  }
}
