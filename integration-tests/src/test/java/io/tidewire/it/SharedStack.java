package io.tidewire.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.infra.SharedInfra;
import io.tidewire.launcher.ChildPart;
import io.tidewire.launcher.DevTokens;
import io.tidewire.launcher.TidewireSettings;
import io.tidewire.launcher.TidewireStack;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One pipeline per test JVM on top of {@link SharedInfra}: the capture and the processor run as
 * child JVMs through the real command line (so crash tests can SIGKILL them), the gateway runs
 * in this JVM (so restart tests can stop it and start a new one on the same port). Every
 * captured change lands once in the shared cdc topics, so test classes must not start captures
 * of their own; tests keep apart by using their own users. Stopped at JVM exit.
 */
final class SharedStack {

  private static final List<String> CHILD_JVM = List.of("-Xmx512m");
  private static final Path TARGET = Paths.get("target");

  static final String SECRET = "integration-tests-secret-0123456789abcdef0123456789";
  static final DevTokens TOKENS = new DevTokens(SECRET);

  private static volatile SharedStack instance;

  private final Map<String, String> env;
  private final ChildPart capture;
  private final ChildPart processor;
  private final DataSource db;
  private final int gatewayPort;
  private Gateway gateway;
  private SimpleMeterRegistry gatewayMeters;

  private SharedStack(final Map<String, String> env, final DataSource db) {
    this.env = env;
    this.db = db;
    this.capture = new ChildPart("capture", env, CHILD_JVM, TARGET).start();
    this.processor = new ChildPart("process", env, CHILD_JVM, TARGET).start();
    this.gateway = startGateway(0);
    this.gatewayPort = gateway.port();
  }

  static SharedStack get() {
    SharedStack local = instance;
    if (local == null) {
      synchronized (SharedStack.class) {
        local = instance;
        if (local == null) {
          local = start();
          instance = local;
        }
      }
    }
    return local;
  }

  private static SharedStack start() {
    final SharedInfra infra = SharedInfra.get();
    final Map<String, String> env =
        new HashMap<>(TidewireStack.envFor(infra.postgres(), infra.kafka(), SECRET));
    env.put("TIDEWIRE_GATEWAY_HOST", "127.0.0.1");
    // static membership: a processor restarted after SIGKILL takes its old place in the group at
    // once instead of waiting for the dead member's session to time out
    env.put("TIDEWIRE_KAFKA_STREAMS_MAIN_CONSUMER_GROUP_INSTANCE_ID", "it-processor");
    env.put("TIDEWIRE_KAFKA_STREAMS_MAIN_CONSUMER_SESSION_TIMEOUT_MS", "10000");
    // token expiry tests need expiry to mean expiry
    env.put("TIDEWIRE_JWT_CLOCK_SKEW_SECONDS", "0");
    // a client closed for flooding must read the refusals queued before its close frame; on a
    // loaded 2-core machine the default 2 s grace (abort one grace after the close) cut it off first
    env.put("TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS", "5000");
    env.put("TIDEWIRE_PROCESSOR_STATE_DIR",
        System.getProperty("java.io.tmpdir") + "/streams-" + UUID.randomUUID());
    final SharedStack stack = new SharedStack(Map.copyOf(env), infra.postgres().dataSource());
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "shared-stack-stop"));
    return stack;
  }

  private Gateway startGateway(final int port) {
    final Map<String, String> gatewayEnv = new HashMap<>(env);
    gatewayEnv.put("TIDEWIRE_GATEWAY_PORT", Integer.toString(port));
    gatewayMeters = new SimpleMeterRegistry();
    final Gateway g = new Gateway(GatewayConfig.fromEnv(gatewayEnv, TidewireSettings.ALL), gatewayMeters);
    g.start();
    return g;
  }

  /**
   * Another gateway of the same deployment on a free port: the same settings, hence the same cursor
   * key. The caller closes it.
   */
  Gateway anotherGateway() {
    final Map<String, String> gatewayEnv = new HashMap<>(env);
    gatewayEnv.put("TIDEWIRE_GATEWAY_PORT", "0");
    final Gateway g = new Gateway(GatewayConfig.fromEnv(gatewayEnv, TidewireSettings.ALL), new SimpleMeterRegistry());
    g.start();
    return g;
  }

  ChildPart capture() {
    return capture;
  }

  ChildPart processor() {
    return processor;
  }

  /** Stops the gateway gracefully (clients see 1001) and starts a new one on the same port. */
  synchronized void restartGateway() {
    gateway.close();
    gateway = startGateway(gatewayPort);
  }

  String kafkaBootstrap() {
    return env.get("TIDEWIRE_KAFKA_BOOTSTRAP");
  }

  /** The partition count of the topics the parts create (the shared Kafka setting, its default if unset). */
  int topicPartitions() {
    return Integer.parseInt(env.getOrDefault("TIDEWIRE_TOPIC_PARTITIONS",
        Integer.toString(KafkaSettings.DEFAULT_TOPIC_PARTITIONS)));
  }

  /** Meters of the current gateway. */
  synchronized SimpleMeterRegistry gatewayMeters() {
    return gatewayMeters;
  }

  int gatewayPort() {
    return gatewayPort;
  }

  URI endpoint() {
    return URI.create("ws://127.0.0.1:" + gatewayPort + "/v1/realtime");
  }
  String token(final UUID user) {
    return TOKENS.mint(user.toString(), Duration.ofMinutes(10));
  }

  WsClient connect(final UUID user) {
    return WsClient.connect(endpoint(), token(user));
  }

  /** Inserts a user with 100 credits and returns its id. */
  UUID newUser() throws SQLException {
    final UUID id = UUID.randomUUID();
    sql("INSERT INTO users (id, credits) VALUES (?, 100)", id);
    return id;
  }

  /** Runs one statement in its own transaction. */
  void sql(final String sql, final Object... args) throws SQLException {
    Ledger.Statements.on(db).run(sql, args);
  }

  DataSource db() {
    return db;
  }

  private synchronized void close() {
    gateway.close();
    processor.stop();
    capture.stop();
  }
}
