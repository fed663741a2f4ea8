package io.tidewire.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A running PostgreSQL server, taken by its data directory, that a test stops with a fast shutdown
 * ({@code SIGINT} to the postmaster, what {@code pg_ctl stop -m fast} sends: clients are
 * disconnected, open transactions rolled back, a checkpoint written) and starts again with the
 * same binary, options, port and data (the command line of {@code postmaster.opts}, which
 * PostgreSQL writes at each start). It works with any server, here the embedded one of
 * {@code embedded-infra} (zonky's binaries, extracted at run time, so no system package is
 * needed). The signal and the binary are used directly rather than through {@code pg_ctl}; as
 * root (the tests and CI here run as root) the server is started in a user namespace of its own
 * ({@code unshare -U}), as zonky starts it, since PostgreSQL refuses to run as root.
 *
 * <p>A server this class started is a child of this JVM; a watchdog ({@code sh}, as
 * embedded-infra's) stops it if this JVM dies first. Not thread-safe.
 */
final class PostgresProcess {

  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Duration WAIT = Duration.ofMinutes(3);

  private final Path dataDir;
  private final List<String> command;
  private Optional<Process> watchdog = Optional.empty();

  private PostgresProcess(final Path dataDir, final List<String> command) {
    this.dataDir = dataDir;
    this.command = command;
  }

  /** The server running on {@code dataDir}: its command line as {@code postmaster.opts} has it. */
  static PostgresProcess of(final Path dataDir) {
    try {
      final String opts = Files.readString(dataDir.resolve("postmaster.opts"),
          StandardCharsets.UTF_8).trim();
      final int space = opts.indexOf(' ');
      final List<String> command = new ArrayList<>();
      command.add(space > 0 ? opts.substring(0, space) : opts);
      final Matcher m = QUOTED.matcher(space > 0 ? opts.substring(space) : "");
      while (m.find()) {
        command.add(m.group(1));
      }
      return new PostgresProcess(dataDir, List.copyOf(command));
    } catch (IOException e) {
      throw new UncheckedIOException("no running PostgreSQL on " + dataDir, e);
    }
  }

  /** Fast shutdown; returns once the postmaster has exited. */
  void stopFast() {
    watchdog.ifPresent(Process::destroy);
    watchdog = Optional.empty();
    final long pid = postmasterPid().orElseThrow(
        () -> new IllegalStateException("PostgreSQL is not running on " + dataDir));
    final ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(
        () -> new IllegalStateException("no process " + pid + " (postmaster.pid is stale)"));
    run(List.of("kill", "-INT", Long.toString(pid)));
    try {
      postmaster.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("PostgreSQL did not shut down within " + WAIT, e);
    }
  }

  /** Starts the server again on the same port and data; returns once it accepts connections. */
  void start() {
    final List<String> cmd = new ArrayList<>();
    // a session of its own, as pg_ctl gives it: signals the server sends to its process group
    // (a SIGQUIT on an immediate shutdown) must not reach this JVM, whose thread dump on SIGQUIT
    // would corrupt the test runner's channel on stdout
    cmd.add("setsid");
    if (asRoot()) {
      // as zonky does: the server refuses to run as root, but runs in a user namespace of its own
      cmd.addAll(List.of("unshare", "-U"));
    }
    cmd.addAll(command);
    try {
      new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(
              dataDir.resolveSibling(dataDir.getFileName() + "-restarts.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
    // postmaster.pid's 8th line is the server's status: "ready" once it accepts connections
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> Files.readAllLines(dataDir.resolve("postmaster.pid")).get(7).trim()
            .equals("ready"));
    watchdog = Optional.of(watchdog(postmasterPid().orElseThrow()));
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The running postmaster's pid, from {@code postmaster.pid}. */
  private OptionalLong postmasterPid() {
    try {
      final List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return lines.isEmpty() ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static void run(final List<String> cmd) {
    try {
      final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(cmd + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops the server immediately (SIGQUIT) once this JVM is gone. */
  private static Process watchdog(final long postmaster) {
    try {
      return new ProcessBuilder("/bin/sh", "-c", "while kill -0 " + ProcessHandle.current().pid()
          + " 2>/dev/null; do sleep 1; done; kill -QUIT " + postmaster + " 2>/dev/null")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the PostgreSQL watchdog", e);
    }
  }

  /** Fast shutdown if the server is running (the end of a test). */
  void stopIfRunning() {
    if (postmasterPid().stream().anyMatch(pid -> ProcessHandle.of(pid).isPresent())) {
      stopFast();
    }
  }
}
