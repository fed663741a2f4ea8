package io.tidewire.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.capture.CaptureConfig;
import io.tidewire.capture.CaptureService;
import io.tidewire.capture.CaptureSettings;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.gateway.StaticContent;
import io.tidewire.launcher.demo.DemoRoutes;
import io.tidewire.processor.ProcessorApp;
import io.tidewire.processor.ProcessorConfig;
import io.tidewire.settings.SettingsReader;
import io.tidewire.settings.SettingsSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs one part on its own against external Kafka and PostgreSQL. Settings come from
 * {@code TIDEWIRE_*} environment variables, optionally from a file of {@code KEY=VALUE} lines
 * that the environment overrides ({@link SettingsSource}); the file may hold every part's
 * settings, so each part is told {@link TidewireSettings#ALL} are known. Runs until
 * SIGTERM/Ctrl-C, then stops gracefully; exits non-zero when the part fails.
 */
abstract class PartCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE",
      description = "File of TIDEWIRE_*=value lines; environment variables override it.")
  private Optional<Path> configFile;

  @Option(names = "--ops-port", paramLabel = "PORT",
      description = "Port of /health, /ready and /metrics for capture and process "
          + "(default: TIDEWIRE_OPS_PORT or 9401 for capture, 9402 for process).")
  private Optional<Integer> opsPort;

  /** Starts the part and returns what to close, plus its health. */
  abstract Started start(Map<String, String> env, PrometheusMeterRegistry registry)
      throws Exception;

  abstract int defaultOpsPort();

  /** @param details extra fields of {@code /health} and {@code /ready} (e.g. the capture's state) */
  record Started(AutoCloseable part, BooleanSupplier healthy, BooleanSupplier ready,
      boolean ownHttp, Supplier<Map<String, Object>> details) {

    Started(final AutoCloseable part, final BooleanSupplier healthy, final BooleanSupplier ready,
        final boolean ownHttp) {
      this(part, healthy, ready, ownHttp, Map::of);
    }
  }

  @Override
  public Integer call() throws Exception {
    final Map<String, String> env = SettingsSource.load(configFile, System.getenv());
    final SettingsReader in = SettingsReader.of(env, TidewireSettings.ALL);
    final boolean exitWithParent = in.get(TidewireSettings.EXIT_WITH_PARENT);
    final Optional<Integer> envOpsPort = in.get(TidewireSettings.OPS_PORT);
    final String opsHost = in.get(TidewireSettings.OPS_HOST);
    in.get(TidewireSettings.LOG_LEVEL);
    in.throwIfInvalid(problems -> new IllegalArgumentException(
        "invalid settings:\n  - " + String.join("\n  - ", problems)));
    if (exitWithParent) {
      // a supervisor (e.g. a test JVM) that dies, even by SIGKILL, takes this process with it
      ProcessHandle.current().parent().ifPresent(parent ->
          parent.onExit().thenRun(() -> Shutdown.exitAsync(3)));
    }
    final PrometheusMeterRegistry registry = MetricsRegistry.create(env);
    final AutoCloseable jvmMeters = JvmMeters.bind(registry);
    final Started started = start(env, registry);
    final OpsHttpServer ops = started.ownHttp() ? null : new OpsHttpServer(opsHost,
        opsPort.or(() -> envOpsPort).orElse(defaultOpsPort()), getClass().getSimpleName().toLowerCase(),
        registry, started.healthy(), started.ready(), started.details());
    final CountDownLatch stopped = new CountDownLatch(1);
    Shutdown.onSignal(() -> {
      try {
        if (ops != null) {
          ops.close();
        }
        started.part().close();
        jvmMeters.close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e);
      } finally {
        stopped.countDown();
      }
    });
    stopped.await();
    return 0;
  }

  @Command(name = "capture", mixinStandardHelpOptions = true,
      description = "Run the change capture: PostgreSQL (pgoutput) -> Debezium -> cdc.* topics.")
  static final class Capture extends PartCommand {
    @Override
    Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
      final CaptureService capture = new CaptureService(CaptureConfig.fromEnv(env, TidewireSettings.ALL), registry);
      // the capture retries with backoff on its own (a Kafka outage of any length): no exit here
      capture.onFailure(failure -> System.err.println("capture failed, retrying: " + failure));
      capture.start();
      return new Started(capture, capture::isHealthy, capture::isStreaming, false, () -> {
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", capture.state().label());
        capture.slotLagBytes().ifPresent(lag -> details.put("slotLagBytes", lag));
        capture.failure().ifPresent(failure -> details.put("failure", failure.toString()));
        return details;
      });
    }

    @Override
    int defaultOpsPort() {
      return 9401;
    }
  }

  @Command(name = "process", mixinStandardHelpOptions = true,
      description = "Run the stream processor: cdc.* -> realtime.user-events, "
          + "realtime.feed-events, realtime.public-changes, realtime.user-state, realtime.content-access, "
          + "realtime.dlq "
          + "(Kafka Streams, exactly-once).")
  static final class Process extends PartCommand {
    @Override
    Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
      final ProcessorApp app = new ProcessorApp(ProcessorConfig.fromEnv(env, TidewireSettings.ALL), registry);
      // Kafka Streams in ERROR never recovers in-process: exit non-zero so a supervisor restarts us
      app.onFatalError(failure -> {
        System.err.println("processor failed: " + failure);
        Shutdown.exitAsync(2);
      });
      app.start();
      return new Started(app, app::isHealthy, app::isHealthy, false);
    }

    @Override
    int defaultOpsPort() {
      return 9402;
    }
  }

  @Command(name = "gateway", mixinStandardHelpOptions = true,
      description = "Run the WebSocket gateway (ws://HOST:PORT/v1/realtime; /health and /metrics on "
          + "TIDEWIRE_GATEWAY_OPS_HOST:TIDEWIRE_GATEWAY_OPS_PORT, default 127.0.0.1:9403).")
  static final class GatewayPart extends PartCommand {

    @Option(names = "--demo-page", hidden = true,
        description = "Serve the demo page and its token endpoints (the local cluster's gateways; "
            + "reads the demo users' balances through TIDEWIRE_PG_*).")
    private boolean demoPage;

    @Override
    Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
      final GatewayConfig config = GatewayConfig.fromEnv(env, TidewireSettings.ALL);
      if (DevTokens.DEMO_SECRET.equals(config.jwtSecret())) {
        throw new IllegalArgumentException(GatewaySettings.JWT_SECRET.name() + " is the demo's published "
            + "secret: anyone can mint tokens for it. Set a secret of your own, e.g. "
            + GatewaySettings.JWT_SECRET.name() + "=$(openssl rand -base64 48)");
      }
      final Gateway gateway = demoPage
          ? new Gateway(config, registry, StaticContent.classpath(getClass().getClassLoader(), "web/"),
              DemoRoutes.of(new DevTokens(config.jwtSecret()), demoDatabase(env)))
          : new Gateway(config, registry);
      gateway.start();
      return new Started(gateway, gateway::isHealthy, gateway::isHealthy, true);
    }

    private static DataSource demoDatabase(final Map<String, String> env) {
      final SettingsReader in = SettingsReader.of(env, TidewireSettings.ALL);
      final PGSimpleDataSource db = new PGSimpleDataSource();
      db.setServerNames(new String[] {in.get(CaptureSettings.PG_HOST)});
      db.setPortNumbers(new int[] {in.get(CaptureSettings.PG_PORT)});
      db.setDatabaseName(in.get(CaptureSettings.PG_DATABASE));
      db.setUser(in.get(CaptureSettings.PG_USER));
      db.setPassword(in.get(CaptureSettings.PG_PASSWORD));
      return db;
    }

    @Override
    int defaultOpsPort() {
      return 0;
    }
  }
}
