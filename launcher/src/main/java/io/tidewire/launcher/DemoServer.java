package io.tidewire.launcher;

import io.tidewire.infra.Directories;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.gateway.StaticContent;
import io.tidewire.launcher.demo.DemoRoutes;
import io.tidewire.launcher.demo.SimulatedPresence;
import io.tidewire.launcher.demo.TrafficSimulator;
import io.tidewire.processor.ProcessorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the demo runs, in this JVM: an embedded Kafka broker and PostgreSQL (fresh data in
 * a temporary directory), the three parts, and optionally the traffic simulator. Used by
 * {@code tidewire demo} and by tests that need the demo as a user sees it.
 *
 * <p>{@link #close()} stops everything in reverse order and deletes the data.
 */
public final class DemoServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);

  /**
   * What to start.
   *
   * @param host interface the gateway binds
   * @param port gateway port (0: any free port)
   * @param pgPort PostgreSQL port on 127.0.0.1 (0: any free port)
   * @param kafkaPort Kafka port on 127.0.0.1 (0: any free port)
   * @param simulatorStep simulator step; {@link Duration#ZERO} for no simulator
   * @param jwtSecret HS256 secret of the gateway and the demo tokens
   */
  public record Options(String host, int port, int pgPort, int kafkaPort, Duration simulatorStep,
      String jwtSecret) {
    public Options {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(simulatorStep, "simulatorStep");
      Objects.requireNonNull(jwtSecret, "jwtSecret");
    }

    /** Free ports on 127.0.0.1, no simulator, the demo secret: for tests. */
    public static Options forTests() {
      return new Options("127.0.0.1", 0, 0, 0, Duration.ZERO, DevTokens.DEMO_SECRET);
    }
  }

  private final Path data;
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private EmbeddedPostgres postgres;
  private EmbeddedKafka kafka;
  private TidewireStack stack;

  private DemoServer(final Path data) {
    this.data = data;
  }

  /** Starts everything; on failure stops what had started and rethrows. */
  public static DemoServer start(final Options options) {
    final DemoServer demo;
    try {
      demo = new DemoServer(Files.createTempDirectory("tidewire-demo-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the demo's data directory", e);
    }
    try {
      demo.startAll(options);
      return demo;
    } catch (RuntimeException e) {
      demo.close();
      throw e;
    }
  }

  private void startAll(final Options options) {
    LOG.info("[1/4] Starting Kafka (KRaft) on 127.0.0.1:{} ...", portText(options.kafkaPort()));
    kafka = EmbeddedKafka.start(options.kafkaPort(), data.resolve("kafka"));
    running.push(kafka);
    LOG.info("[2/4] Starting PostgreSQL on 127.0.0.1:{} and applying migrations ...",
        portText(options.pgPort()));
    postgres = EmbeddedPostgres.start(options.pgPort(), data.resolve("postgres"));
    running.push(postgres);

    LOG.info("[3/4] Starting capture, processor and gateway ...");
    final Map<String, String> env =
        new HashMap<>(TidewireStack.envFor(postgres, kafka, options.jwtSecret()));
    env.put(GatewaySettings.HOST.name(), options.host());
    env.put(GatewaySettings.PORT.name(), Integer.toString(options.port()));
    env.put(ProcessorSettings.STATE_DIR.name(), data.resolve("streams").toString());
    // the demo page (launcher/src/main/resources/web) and its demo-only endpoints
    stack = TidewireStack.start(env,
        StaticContent.classpath(DemoServer.class.getClassLoader(), "web/"),
        DemoRoutes.of(new DevTokens(options.jwtSecret()), postgres.dataSource()));
    running.push(stack);

    if (!options.simulatorStep().isZero()) {
      LOG.info("[4/4] Starting the traffic simulator ...");
      // the simulated users are online and type before they comment, through the real client
      final SimulatedPresence presence = SimulatedPresence.start(
          List.of(URI.create("ws://127.0.0.1:" + stack.gatewayPort() + "/v1/realtime")),
          new DevTokens(options.jwtSecret()));
      final TrafficSimulator simulator =
          new TrafficSimulator(postgres.dataSource(), options.simulatorStep(), presence);
      simulator.start();
      running.push(simulator);
    }
  }

  private static String portText(final int port) {
    return port == 0 ? "(any free port)" : Integer.toString(port);
  }

  /** The gateway's HTTP/WebSocket port. */
  public int httpPort() {
    return stack.gatewayPort();
  }

  public EmbeddedPostgres postgres() {
    return postgres;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  /** Connections to the demo database as the app's role. */
  public DataSource dataSource() {
    return postgres.dataSource();
  }

  @Override
  public synchronized void close() {
    while (!running.isEmpty()) {
      final AutoCloseable c = running.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
    try {
      Directories.deleteRecursively(data);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", data, e.toString());
    }
  }
}
