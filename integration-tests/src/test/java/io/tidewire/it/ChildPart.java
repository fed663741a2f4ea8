package io.tidewire.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Tidewire part ({@code capture} or {@code process}) running as a child JVM through the real
 * {@code tidewire} command line, so tests can crash it with SIGKILL — no shutdown hook, no
 * graceful close, exactly what a power cut does — and start it again. Output goes to
 * {@code target/child-<name>-<n>.log}.
 */
final class ChildPart implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String command;
  private final Map<String, String> env;
  private final int opsPort;
  private Process process;
  private int starts;

  ChildPart(final String command, final Map<String, String> env) {
    this.command = command;
    this.env = Map.copyOf(env);
    this.opsPort = freePort();
  }

  /** Starts the child and waits until its {@code /ready} answers 200. */
  synchronized ChildPart start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(command + " is already running");
    }
    final Path log = Paths.get("target", "child-" + command + "-" + (++starts) + ".log");
    final List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.tidewire.launcher.Main");
    cmd.add(command);
    cmd.add("--ops-port");
    cmd.add(Integer.toString(opsPort));
    final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().put("TIDEWIRE_EXIT_WITH_PARENT", "true");
    try {
      Files.createDirectories(log.getParent());
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    final Process started = process;
    await("ready: " + command + " (log " + log.toAbsolutePath() + ")")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .failFast("child exited", () -> !started.isAlive())
        .until(this::ready);
    return this;
  }

  /** SIGKILL: the part gets no chance to flush, commit or close anything. */
  synchronized void crash() {
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  /** SIGTERM: the part's shutdown hook closes it gracefully. */
  synchronized void stop() {
    if (process != null) {
      process.destroy();
      waitFor(process);
    }
  }

  private static void waitFor(final Process p) {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean ready() {
    try {
      final HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + opsPort + "/ready")).timeout(Duration.ofSeconds(2))
          .build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return command + "@" + opsPort;
  }
}
