package io.tidewire.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.capture.CaptureConfig;
import io.tidewire.capture.CaptureService;
import io.tidewire.capture.CaptureSettings;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.gateway.HttpRoute;
import io.tidewire.gateway.StaticContent;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.processor.ProcessorApp;
import io.tidewire.processor.ProcessorConfig;
import io.tidewire.settings.KafkaSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three parts — capture, processor, gateway — in this JVM, configured from one environment
 * map exactly as the separate processes would be (each told that {@link TidewireSettings#ALL}
 * are known). Used by {@code demo} and the integration tests.
 *
 * <p>{@link #start(Map)} returns once the capture streams, the processor runs and the gateway
 * listens; {@link #close()} stops them in reverse order. Not thread-safe for concurrent close.
 */
public final class TidewireStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TidewireStack.class);
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

  private final PrometheusMeterRegistry registry;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private CaptureService capture;
  private ProcessorApp processor;
  private Gateway gateway;

  private TidewireStack(final PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** Environment for the three parts against embedded servers. */
  public static Map<String, String> envFor(final EmbeddedPostgres postgres,
      final EmbeddedKafka kafka, final String jwtSecret) {
    return envFor(postgres, kafka.bootstrapServers(), jwtSecret);
  }

  /** Environment for the three parts against an embedded PostgreSQL and these brokers. */
  public static Map<String, String> envFor(final EmbeddedPostgres postgres,
      final String bootstrapServers, final String jwtSecret) {
    final Map<String, String> env = new HashMap<>();
    env.put(KafkaSettings.BOOTSTRAP.name(), bootstrapServers);
    env.putAll(KafkaSettings.singleBroker()); // one embedded broker: one replica (a cluster overrides)
    env.put(CaptureSettings.PG_HOST.name(), postgres.host());
    env.put(CaptureSettings.PG_PORT.name(), Integer.toString(postgres.port()));
    env.put(CaptureSettings.PG_DATABASE.name(), postgres.database());
    env.put(CaptureSettings.PG_USER.name(), postgres.user());
    env.put(CaptureSettings.PG_PASSWORD.name(), postgres.password());
    env.put(GatewaySettings.JWT_SECRET.name(), jwtSecret);
    // one process, loopback servers: /health and /metrics stay on the gateway's port, as the demo
    // page links them (a separate gateway process gets its ops listener, see ChildPart)
    env.put(GatewaySettings.OPS_ON_MAIN_PORT.name(), "true");
    return env;
  }

  /** Validates every part's configuration, then starts capture, processor and gateway. */
  public static TidewireStack start(final Map<String, String> env) {
    return start(env, StaticContent.none(), List.of());
  }

  /**
   * As {@link #start(Map)}, with static files and extra HTTP routes on the gateway's port (the
   * demo page and its endpoints).
   */
  public static TidewireStack start(final Map<String, String> env,
      final StaticContent staticContent, final List<HttpRoute> routes) {
    // parse all three first: a bad variable fails fast, before anything starts
    final CaptureConfig captureConfig = CaptureConfig.fromEnv(env, TidewireSettings.ALL);
    final ProcessorConfig processorConfig = ProcessorConfig.fromEnv(env, TidewireSettings.ALL);
    final GatewayConfig gatewayConfig = GatewayConfig.fromEnv(env, TidewireSettings.ALL);
    final TidewireStack stack =
        new TidewireStack(MetricsRegistry.create(env));
    stack.started.push(JvmMeters.bind(stack.registry));
    try {
      stack.startParts(captureConfig, processorConfig, gatewayConfig, staticContent, routes);
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stack.close();
      throw new IllegalStateException("interrupted while starting", e);
    }
  }

  private void startParts(final CaptureConfig captureConfig, final ProcessorConfig processorConfig,
      final GatewayConfig gatewayConfig, final StaticContent staticContent,
      final List<HttpRoute> routes) throws InterruptedException {
    long t = System.nanoTime();
    capture = new CaptureService(captureConfig, registry);
    started.push(capture);
    capture.start();
    if (!capture.awaitStreaming(READY_TIMEOUT)) {
      throw new IllegalStateException("capture did not start streaming within " + READY_TIMEOUT
          + capture.failure().map(f -> ": " + f.getMessage()).orElse(""));
    }
    LOG.info("capture streaming ({} ms)", millisSince(t));

    t = System.nanoTime();
    processor = new ProcessorApp(processorConfig, registry);
    started.push(processor);
    processor.start();
    if (!processor.awaitRunning(READY_TIMEOUT)) {
      throw new IllegalStateException("processor did not reach RUNNING within " + READY_TIMEOUT);
    }
    LOG.info("processor running ({} ms)", millisSince(t));

    t = System.nanoTime();
    gateway = new Gateway(gatewayConfig, registry, gatewayConfig.staticDir()
        .map(StaticContent::directory).orElse(staticContent), routes);
    started.push(gateway);
    gateway.start();
    LOG.info("gateway listening on port {} ({} ms)", gateway.port(), millisSince(t));
  }

  private static long millisSince(final long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  public int gatewayPort() {
    return gateway.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** True while every part reports healthy. */
  public boolean isHealthy() {
    return capture.isHealthy() && processor.isHealthy() && gateway.isHealthy();
  }

  public CaptureService capture() {
    return capture;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      final AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("error while stopping {}: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
    registry.close();
  }
}
