package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.infra.EmbeddedPostgres;
import io.tidewire.infra.SharedInfra;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue #14's acceptance test: the real {@code @supabase/supabase-js} and {@code @supabase/realtime-js}
 * (versions pinned in clients/supabase-compat/package.json, transport {@code ws} on Node 20) against
 * the gateway's Supabase Realtime endpoint and the real pipeline, both {@code vsn}: status callbacks,
 * every filter, isolation between users, public rows for anonymous clients, token refresh and
 * expiry, resume after a dropped socket while rows change, the join rate limit, and the seed app's
 * own subscription code unchanged (postgres-changes.test.mjs); broadcast (self, ack, vsn 2.0.0's
 * binary push) and presence (state, joins, leaves) between supabase-js clients and with a client of
 * Tidewire's own protocol in the same channel, the channel rules' refusal and the meta limit
 * (broadcast-presence.test.mjs). The tests themselves are node:test files in
 * clients/supabase-compat/test, every file of which {@code npm test} runs; this class installs them
 * ({@code npm ci}), points them at the stack and fails with their report if any fails.
 */
class SupabaseClientsIT {

  private static final SharedStack STACK = SharedStack.get();
  private static final Path PACKAGE =
      Paths.get("..", "clients", "supabase-compat").toAbsolutePath().normalize();
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(8);

  @Test
  void realSupabaseClientsPassAgainstThePipeline() throws Exception {
    final Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of());
    assertThat(install.code).as("npm ci in clients/supabase-compat: %s", install.err).isZero();

    final EmbeddedPostgres postgres = SharedInfra.get().postgres();
    final Run tests = run(List.of("npm", "test"), Map.of(
        "TW_URL", "http://127.0.0.1:" + STACK.gatewayPort(),
        "TW_JWT_SECRET", SharedStack.SECRET,
        "PGHOST", postgres.host(),
        "PGPORT", Integer.toString(postgres.port()),
        "PGUSER", postgres.user(),
        "PGPASSWORD", postgres.password(),
        "PGDATABASE", postgres.database()));
    System.out.println("clients/supabase-compat npm test:\n" + tests.out + tests.err);
    assertThat(tests.code).as("npm test in clients/supabase-compat:\n%s\n%s", tests.out, tests.err).isZero();
  }

  private record Run(int code, String out, String err) {}

  private static Run run(final List<String> command, final Map<String, String> env)
      throws IOException, InterruptedException {
    final Path out = Files.createTempFile("supabase-out", ".txt");
    final Path err = Files.createTempFile("supabase-err", ".txt");
    final ProcessBuilder builder = new ProcessBuilder(command).directory(PACKAGE.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    final Process process = builder.start();
    try {
      if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(command + " did not finish within " + RUN_TIMEOUT + "; output: "
            + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
