package io.tidewire.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** An embedded PostgreSQL does not outlive its JVM, even one killed with {@code kill -9}. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class EmbeddedPostgresWatchdogTest {

  @TempDir
  Path data;

  @Test
  void serverStopsWhenItsJvmIsKilled() throws Exception {
    final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    final Process child = new ProcessBuilder(java.toString(), "-cp",
        System.getProperty("java.class.path"), StartAndWait.class.getName(),
        data.resolve("pg").toString())
        .redirectErrorStream(true)
        .start();
    try {
      final BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
        // start-up logs
      }
      assertThat(line).as("the child started PostgreSQL").isNotNull();
      final long postmaster = Long.parseLong(line.substring("READY ".length()).trim());
      final ProcessHandle server = ProcessHandle.of(postmaster).orElseThrow();
      assertThat(server.isAlive()).isTrue();

      child.destroyForcibly(); // SIGKILL: no shutdown hook runs

      await().atMost(Duration.ofSeconds(30)).until(() -> !server.isAlive());
    } finally {
      child.destroyForcibly();
    }
  }

  /** The child: starts PostgreSQL, prints the postmaster's pid, waits to be killed. */
  public static final class StartAndWait {
    public static void main(final String[] args) throws IOException, InterruptedException {
      final Path dir = Path.of(args[0]);
      EmbeddedPostgres.start(0, dir);
      final List<String> pid = Files.readAllLines(dir.resolve("postmaster.pid"));
      System.out.println("READY " + pid.get(0));
      System.out.flush();
      new CountDownLatch(1).await(); // until the test kills this JVM
    }
  }
}
