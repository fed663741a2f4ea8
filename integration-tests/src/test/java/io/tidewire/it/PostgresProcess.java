package io.tidewire.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running PostgreSQL server, taken by its data directory, that a test stops with a fast shutdown
 * ({@code pg_ctl stop -m fast}: clients are disconnected, open transactions rolled back, a
 * checkpoint written) and starts again with the same binaries, options, port and data
 * ({@code pg_ctl start} with the options of {@code postmaster.opts}, which PostgreSQL writes at
 * each start). It works with any server, here the embedded one of {@code embedded-infra}
 * (zonky's PostgreSQL binaries, extracted at run time), so no system package is needed.
 *
 * <p>A server this class started is a daemon, not a child of this JVM: a watchdog ({@code sh},
 * as embedded-infra's) stops it if this JVM dies first. The owner of the server still stops it at
 * the end ({@code pg_ctl stop} on the same directory stops whichever postmaster runs there).
 * Not thread-safe.
 */
final class PostgresProcess {

  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Path dataDir;
  private final Path bin;
  private final List<String> options;
  private Optional<Process> watchdog = Optional.empty();

  private PostgresProcess(final Path dataDir, final Path bin, final List<String> options) {
    this.dataDir = dataDir;
    this.bin = bin;
    this.options = options;
  }

  /**
   * The server running on {@code dataDir}: its binaries and options as {@code postmaster.opts}
   * records them.
   */
  static PostgresProcess of(final Path dataDir) {
    try {
      final String opts = Files.readString(dataDir.resolve("postmaster.opts"),
          StandardCharsets.UTF_8).trim();
      final int space = opts.indexOf(' ');
      final Path postgres = Path.of(space > 0 ? opts.substring(0, space) : opts);
      final List<String> args = new ArrayList<>();
      final Matcher m = QUOTED.matcher(space > 0 ? opts.substring(space) : "");
      while (m.find()) {
        args.add(m.group(1));
      }
      // pg_ctl gives -D itself
      final int d = args.indexOf("-D");
      if (d >= 0) {
        args.subList(d, Math.min(d + 2, args.size())).clear();
      }
      return new PostgresProcess(dataDir, postgres.getParent(), List.copyOf(args));
    } catch (IOException e) {
      throw new UncheckedIOException("no running PostgreSQL on " + dataDir, e);
    }
  }

  /** Fast shutdown; returns once the server is down. */
  void stopFast() {
    watchdog.ifPresent(Process::destroy);
    watchdog = Optional.empty();
    pgCtl(List.of("stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "120"));
  }

  /** Starts the server again on the same port and data; returns once it accepts connections. */
  void start() {
    final StringBuilder o = new StringBuilder();
    for (final String a : options) {
      o.append(" '").append(a.replace("'", "'\\''")).append('\'');
    }
    pgCtl(List.of("start", "-D", dataDir.toString(), "-w", "-t", "120",
        "-l", dataDir.resolveSibling(dataDir.getFileName() + "-restarts.log").toString(),
        "-o", o.toString().trim()));
    watchdog = Optional.of(watchdog());
  }

  private void pgCtl(final List<String> args) {
    final List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve("pg_ctl").toString());
    cmd.addAll(args);
    try {
      final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("pg_ctl " + args.get(0) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops the server immediately (SIGQUIT) once this JVM is gone. */
  private Process watchdog() {
    try {
      final long postmaster = Long.parseLong(
          Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
      return new ProcessBuilder("/bin/sh", "-c", "while kill -0 " + ProcessHandle.current().pid()
          + " 2>/dev/null; do sleep 1; done; kill -QUIT " + postmaster + " 2>/dev/null")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the PostgreSQL watchdog", e);
    }
  }

  /** Ends the watchdog (call after the server was stopped for good). */
  void forget() {
    watchdog.ifPresent(Process::destroy);
  }
}
