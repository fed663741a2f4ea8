package io.tidewire.it;

import io.tidewire.infra.SharedInfra;
import io.tidewire.launcher.DevTokens;
import io.tidewire.launcher.TidewireStack;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One pipeline (capture, processor, gateway) per test JVM on top of {@link SharedInfra}: every
 * captured change lands once in the shared cdc topics, so test classes must not start second
 * captures of their own. Tests keep apart by using their own users. Stopped at JVM exit.
 */
final class SharedStack {

  static final String SECRET = "integration-tests-secret-0123456789abcdef0123456789";
  static final DevTokens TOKENS = new DevTokens(SECRET);

  private static volatile SharedStack instance;

  private final TidewireStack stack;
  private final DataSource db;

  private SharedStack(final TidewireStack stack, final DataSource db) {
    this.stack = stack;
    this.db = db;
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
    env.put("TIDEWIRE_GATEWAY_PORT", "0");
    env.put("TIDEWIRE_PROCESSOR_STATE_DIR",
        System.getProperty("java.io.tmpdir") + "/streams-" + UUID.randomUUID());
    final TidewireStack stack = TidewireStack.start(env);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "shared-stack-stop"));
    return new SharedStack(stack, infra.postgres().dataSource());
  }

  TidewireStack stack() {
    return stack;
  }

  URI endpoint() {
    return URI.create("ws://127.0.0.1:" + stack.gatewayPort() + "/v1/realtime");
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
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  DataSource db() {
    return db;
  }
}
