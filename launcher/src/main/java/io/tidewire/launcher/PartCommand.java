package io.tidewire.launcher;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.capture.CaptureConfig;
import io.tidewire.capture.CaptureService;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.processor.ProcessorApp;
import io.tidewire.processor.ProcessorConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs one part on its own against external Kafka and PostgreSQL. Settings come from
 * {@code TIDEWIRE_*} environment variables, optionally from a file of {@code KEY=VALUE} lines
 * that the environment overrides. Runs until SIGTERM/Ctrl-C, then stops gracefully; exits
 * non-zero when the part fails.
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

  record Started(AutoCloseable part, BooleanSupplier healthy, BooleanSupplier ready,
      boolean ownHttp) {}

  @Override
  public Integer call() throws Exception {
    final Map<String, String> env = environment();
    if (Boolean.parseBoolean(env.getOrDefault("TIDEWIRE_EXIT_WITH_PARENT", "false"))) {
      // a supervisor (e.g. a test JVM) that dies, even by SIGKILL, takes this process with it
      ProcessHandle.current().parent().ifPresent(parent ->
          parent.onExit().thenRun(() -> Shutdown.exitAsync(3)));
    }
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AutoCloseable jvmMeters = JvmMeters.bind(registry);
    final Started started = start(env, registry);
    final OpsHttpServer ops = started.ownHttp() ? null : new OpsHttpServer("0.0.0.0",
        opsPort.orElseGet(() -> Integer.parseInt(env.getOrDefault("TIDEWIRE_OPS_PORT",
            Integer.toString(defaultOpsPort())))), getClass().getSimpleName().toLowerCase(),
        registry, started.healthy(), started.ready());
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

  private Map<String, String> environment() throws IOException {
    final Map<String, String> env = new HashMap<>();
    if (configFile.isPresent()) {
      final Properties file = new Properties();
      try (Reader in = Files.newBufferedReader(configFile.get())) {
        file.load(in);
      }
      file.stringPropertyNames().forEach(k -> env.put(k, file.getProperty(k).trim()));
    }
    env.putAll(System.getenv());
    return env;
  }

  @Command(name = "capture", mixinStandardHelpOptions = true,
      description = "Run the change capture: PostgreSQL (pgoutput) -> Debezium -> cdc.* topics.")
  static final class Capture extends PartCommand {
    @Override
    Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
      final CaptureService capture = new CaptureService(CaptureConfig.fromEnv(env), registry);
      capture.onFailure(failure -> {
        System.err.println("capture failed: " + failure);
        Shutdown.exitAsync(2);
      });
      capture.start();
      return new Started(capture, capture::isHealthy, capture::isStreaming, false);
    }

    @Override
    int defaultOpsPort() {
      return 9401;
    }
  }

  @Command(name = "process", mixinStandardHelpOptions = true,
      description = "Run the stream processor: cdc.* -> realtime.user-events, "
          + "realtime.feed-events, realtime.dlq (Kafka Streams, exactly-once).")
  static final class Process extends PartCommand {
    @Override
    Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
      final ProcessorApp app = new ProcessorApp(ProcessorConfig.fromEnv(env), registry);
      app.start();
      return new Started(app, app::isHealthy, app::isHealthy, false);
    }

    @Override
    int defaultOpsPort() {
      return 9402;
    }
  }

  @Command(name = "gateway", mixinStandardHelpOptions = true,
      description = "Run the WebSocket gateway (ws://HOST:PORT/v1/realtime, /health, /metrics).")
  static final class GatewayPart extends PartCommand {
    @Override
    Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
      final Gateway gateway = new Gateway(GatewayConfig.fromEnv(env), registry);
      gateway.start();
      return new Started(gateway, gateway::isHealthy, gateway::isHealthy, true);
    }

    @Override
    int defaultOpsPort() {
      return 0;
    }
  }
}
