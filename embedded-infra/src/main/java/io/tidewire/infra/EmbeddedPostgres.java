package io.tidewire.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server on 127.0.0.1 set up for logical decoding (zonky's binaries, PostgreSQL
 * 14), with a database, login and password {@code tidewire} (the role may replicate) and the
 * app's migrations applied.
 *
 * <p>zonky defaults to {@code synchronous_commit=off}, which delays WAL shipping to a replication
 * client until the WAL writer flushes (~150–200 ms); it is switched back on here for low capture
 * latency. Thread-safe; {@link #close()} stops the server.
 *
 * <p>The server is a child process that would outlive a JVM killed with {@code kill -9} (holding
 * its port and data directory): a watchdog process, started with it, stops it at once
 * ({@code SIGQUIT}, PostgreSQL's immediate shutdown) when this JVM is gone.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  /** Database, role and password of the app. */
  public static final String APP = "tidewire";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final PGSimpleDataSource dataSource;
  private final Optional<Process> watchdog;

  private EmbeddedPostgres(final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server,
      final Optional<Process> watchdog) {
    this.server = server;
    this.watchdog = watchdog;
    this.dataSource = new PGSimpleDataSource();
    dataSource.setUrl(jdbcUrl());
    dataSource.setUser(APP);
    dataSource.setPassword(APP);
  }

  /**
   * Starts a server, creates the app's role and database and applies the migrations.
   *
   * @param port TCP port on 127.0.0.1, or 0 for any free port
   * @param dataDirectory where the cluster lives; wiped first
   */
  public static EmbeddedPostgres start(final int port, final Path dataDirectory) {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    final long started = System.nanoTime();
    try {
      Files.createDirectories(dataDirectory);
      final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server =
          io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
              .setPort(FreePorts.orFree(port))
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(true)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_replication_slots", "32")
              .setServerConfig("max_wal_senders", "32")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "200")
              .setServerConfig("wal_sender_timeout", "30s")
              .start();
      final Optional<Process> watchdog = watchdog(dataDirectory);
      createAppRole(server.getPostgresDatabase());
      final EmbeddedPostgres postgres = new EmbeddedPostgres(server, watchdog);
      Migrations.apply(postgres.dataSource());
      LOG.info("PostgreSQL ready on 127.0.0.1:{} in {} ms (database/user/password {})",
          server.getPort(), (System.nanoTime() - started) / 1_000_000, APP);
      return postgres;
    } catch (IOException | SQLException e) {
      throw new InfraException("cannot start embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /**
   * Starts {@code sh} polling this JVM's pid once a second; when the JVM is gone it sends
   * {@code SIGQUIT} to the postmaster (pid from {@code postmaster.pid}). Without {@code sh} (not a
   * Unix system) there is no watchdog, and a killed JVM leaves the server running, as before.
   */
  private static Optional<Process> watchdog(final Path dataDirectory) throws IOException {
    final Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.isExecutable(Path.of("/bin/sh")) || !Files.exists(pidFile)) {
      LOG.debug("no PostgreSQL watchdog: /bin/sh or {} missing", pidFile);
      return Optional.empty();
    }
    final long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    final long jvm = ProcessHandle.current().pid();
    final Process process = new ProcessBuilder("/bin/sh", "-c",
        "while kill -0 " + jvm + " 2>/dev/null; do sleep 1; done; kill -QUIT " + postmaster
            + " 2>/dev/null")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    return Optional.of(process);
  }

  private static void createAppRole(final DataSource admin) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + APP + " LOGIN REPLICATION PASSWORD '" + APP + "'");
      s.execute("CREATE DATABASE " + APP + " OWNER " + APP);
    }
  }

  /** Always {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return server.getPort();
  }

  public String database() {
    return APP;
  }

  public String user() {
    return APP;
  }

  public String password() {
    return APP;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/tidewire}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + APP;
  }

  /** Connections as the app's role to the app's database. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Connections as the superuser {@code postgres} to the app's database (for tests and admin). */
  public DataSource superuserDataSource() {
    return server.getDatabase("postgres", APP, Map.of());
  }

  @Override
  public void close() {
    watchdog.ifPresent(Process::destroy);
    try {
      server.close();
    } catch (IOException e) {
      throw new InfraException("cannot stop embedded PostgreSQL", e);
    }
  }
}
