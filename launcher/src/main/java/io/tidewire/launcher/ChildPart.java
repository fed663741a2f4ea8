package io.tidewire.launcher;

import io.tidewire.gateway.GatewaySettings;
import io.tidewire.infra.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tidewire part ({@code capture}, {@code process} or {@code gateway}) running as a child JVM
 * through the real {@code tidewire} command line, with this JVM's class path. Used where a part
 * must be a process of its own: tests crash it with SIGKILL (no shutdown hook, no graceful close,
 * exactly what a power cut does) and start it again; benchmarks measure its CPU and heap apart
 * from everything else. The child exits when this JVM dies ({@code TIDEWIRE_EXIT_WITH_PARENT}).
 *
 * <p>Readiness is {@code /ready} on the part's ops port, or for the gateway {@code /health} on its
 * ops listener (loopback, on the port the capture and processor would get as their ops port).
 * Output goes to a log file per start.
 *
 * <p>{@link #restartOnFailure()} makes this a supervisor, as a container's restart policy is: a
 * child that exits on its own with a failure (e.g. a processor's exit code 2 on a fatal Kafka
 * Streams error) is started again, after 1 s, then with a backoff doubling up to 30 s while it
 * fails to become ready. A child stopped or crashed through this class, or killed by a signal from
 * outside (exit code 128 + signal, e.g. {@code kill -9} by hand), or that exits with 0, stays down.
 *
 * <p>Thread-safe (every method is synchronized).
 */
public final class ChildPart implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChildPart.class);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(1);
  private static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(30);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String mainClass;
  private final String command;
  private final List<String> args;
  private final Duration startTimeout;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Path logDir;
  private final int opsPort;
  private final URI readyUri;
  private Process process;
  private Path log;
  private int starts;
  private boolean supervised;
  /** Bumped by every start, stop and crash asked for: a pending restart of an older one quits. */
  private long generation;
  private int restarts;

  /**
   * @param command {@code capture}, {@code process} or {@code gateway}
   * @param env the part's {@code TIDEWIRE_*} settings (the gateway's must name its port)
   * @param jvmOptions options for the child JVM, e.g. {@code -Xmx512m}
   * @param logDir where {@code child-<command>-<n>.log} files go
   */
  public ChildPart(final String command, final Map<String, String> env,
      final List<String> jvmOptions, final Path logDir) {
    this(command, List.of(), env, jvmOptions, logDir, START_TIMEOUT);
  }

  /**
   * As {@link #ChildPart(String, Map, List, Path)}, with arguments after the command (e.g.
   * {@code broker --node-id 1 ...}) and a start timeout of its own.
   */
  public ChildPart(final String command, final List<String> args, final Map<String, String> env,
      final List<String> jvmOptions, final Path logDir, final Duration startTimeout) {
    this(Main.class.getName(), command, args, env, jvmOptions, logDir, startTimeout);
  }

  /** As above, running {@code mainClass} (of this JVM's class path) instead of the launcher's. */
  ChildPart(final String mainClass, final String command, final List<String> args,
      final Map<String, String> env, final List<String> jvmOptions, final Path logDir,
      final Duration startTimeout) {
    this.mainClass = mainClass;
    this.command = command;
    this.args = List.copyOf(args);
    this.startTimeout = startTimeout;
    this.env = Map.copyOf(env);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.logDir = logDir;
    this.opsPort = FreePorts.any();
    this.readyUri = "gateway".equals(command) && requirePort(env) != null
        ? URI.create("http://127.0.0.1:" + opsPort + "/health")
        : URI.create("http://127.0.0.1:" + opsPort + "/ready");
  }

  private static String requirePort(final Map<String, String> env) {
    final String port = env.get(GatewaySettings.PORT.name());
    if (port == null || "0".equals(port)) {
      throw new IllegalArgumentException("a child gateway needs a fixed TIDEWIRE_GATEWAY_PORT");
    }
    return port;
  }

  /**
   * Starts the child and waits until it is ready.
   *
   * @throws IllegalStateException if it exits or is not ready within the start timeout (90 s
   *     unless told otherwise)
   */
  public synchronized ChildPart start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(command + " is already running");
    }
    generation++;
    launch();
    return this;
  }

  /**
   * Restarts the child whenever it exits on its own with a failure (see the class comment).
   *
   * @return this
   */
  public synchronized ChildPart restartOnFailure() {
    supervised = true;
    return this;
  }

  /** How many times the child was restarted after a failure of its own. */
  public synchronized int restarts() {
    return restarts;
  }

  private void launch() {
    log = logDir.resolve("child-" + command + "-" + (++starts) + ".log");
    final List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.add(command);
    cmd.addAll(args);
    if (!"gateway".equals(command)) {
      cmd.add("--ops-port");
      cmd.add(Integer.toString(opsPort));
    }
    final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    if ("gateway".equals(command)) {
      pb.environment().put(GatewaySettings.OPS_ON_MAIN_PORT.name(), "false");
      pb.environment().put(GatewaySettings.OPS_HOST.name(), "127.0.0.1");
      pb.environment().put(GatewaySettings.OPS_PORT.name(), Integer.toString(opsPort));
    }
    pb.environment().put(TidewireSettings.EXIT_WITH_PARENT.name(), "true");
    try {
      Files.createDirectories(logDir);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    final long deadline = System.nanoTime() + startTimeout.toNanos();
    while (!ready()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(command + " exited with " + process.exitValue()
            + " before it was ready; see " + log.toAbsolutePath());
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        waitFor(process);
        throw new IllegalStateException(command + " not ready within " + startTimeout
            + "; see " + log.toAbsolutePath());
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IllegalStateException("interrupted while starting " + command, e);
      }
    }
    // watched only once ready: a child that exits before is the caller's failure, not a restart
    final Process started = process;
    final long g = generation;
    started.onExit().thenRun(() -> exited(started, g));
  }

  private void exited(final Process p, final long g) {
    final int code = p.exitValue();
    synchronized (this) {
      if (p != process || g != generation) {
        return; // started, stopped or crashed through this class since
      }
      if (!supervised || code == 0 || code > 128) {
        LOG.warn("{} exited with {}{}; it stays down, see {}", this, code,
            code > 128 ? " (killed by signal " + (code - 128) + ")" : "", log);
        return;
      }
      LOG.warn("{} exited with {}; restarting it in {} s, see {}", this, code,
          FIRST_RESTART_DELAY.toSeconds(), log);
      final Thread restart = new Thread(() -> restart(g), "restart-" + command);
      restart.setDaemon(true);
      restart.start();
    }
  }

  /** Starts the child again until it is ready, unless someone here starts, stops or crashes it. */
  private void restart(final long g) {
    Duration delay = FIRST_RESTART_DELAY;
    while (true) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (g != generation || process.isAlive()) {
          return;
        }
        try {
          launch();
          restarts++;
          LOG.info("{} restarted after a failure (restart {})", this, restarts);
          return;
        } catch (RuntimeException e) {
          delay = delay.multipliedBy(2).compareTo(MAX_RESTART_DELAY) > 0
              ? MAX_RESTART_DELAY : delay.multipliedBy(2);
          LOG.warn("{} failed to restart ({}); trying again in {} s", this, e.getMessage(),
              delay.toSeconds());
        }
      }
    }
  }

  /** SIGKILL: the part gets no chance to flush, commit or close anything. */
  public synchronized void crash() {
    generation++;
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  /** SIGTERM: the part's shutdown hook closes it gracefully (SIGKILL after 60 s). */
  public synchronized void stop() {
    generation++;
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

  /** Whether the running child answers its readiness check with 200. */
  public synchronized boolean ready() {
    if (process == null || !process.isAlive()) {
      return false;
    }
    try {
      final HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(readyUri)
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The running child's process id. */
  public synchronized Optional<Long> pid() {
    return process != null && process.isAlive() ? Optional.of(process.pid()) : Optional.empty();
  }

  /** The port of the child's /metrics and /health: its ops port. */
  public int metricsPort() {
    return readyUri.getPort();
  }

  /** The part's command. */
  public String command() {
    return command;
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return command + "@" + readyUri.getPort();
  }
}
