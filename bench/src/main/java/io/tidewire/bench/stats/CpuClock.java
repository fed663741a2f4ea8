package io.tidewire.bench.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * CPU time of processes from Linux's {@code /proc/<pid>/stat} (user + system time of all the
 * process's threads). Elsewhere {@link #cpuNanos} is empty and reports say "n/a".
 *
 * <p>Stateless and thread-safe.
 */
public final class CpuClock {

  /** Clock ticks per second of {@code /proc} times; 100 on every mainstream Linux build. */
  private static final long TICKS_PER_SECOND = 100;

  private CpuClock() {
  }

  /** CPU time used so far by process {@code pid}, or empty if it cannot be read. */
  public static Optional<Long> cpuNanos(final long pid) {
    try {
      return Optional.of(parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * CPU time of a process tree: the process's own time, the time of the children it has reaped
   * ({@code cutime + cstime}: a connection's backend that exited still counts) and the own time
   * of its live descendants. Empty if the root cannot be read.
   */
  public static Optional<Long> treeNanos(final long pid) {
    try {
      long sum = parseTree(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
      final Optional<ProcessHandle> root = ProcessHandle.of(pid);
      if (root.isPresent()) {
        for (final ProcessHandle child : root.get().descendants().toList()) {
          sum += cpuNanos(child.pid()).orElse(0L);
        }
      }
      return Optional.of(sum);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Sum of {@link #cpuNanos} over processes (those that cannot be read count zero). */
  public static long cpuNanos(final Collection<Long> pids) {
    long sum = 0;
    for (final long pid : pids) {
      sum += cpuNanos(pid).orElse(0L);
    }
    return sum;
  }

  /**
   * The user + system CPU time in a {@code /proc/<pid>/stat} line, in nanoseconds. The command
   * name (field 2) is in parentheses and may contain spaces, so fields are counted after its
   * closing parenthesis: utime and stime are fields 14 and 15.
   */
  static long parseStat(final String stat) {
    final String[] f = fields(stat);
    return ticks(f, 14) + ticks(f, 15);
  }

  /** Own and reaped children's time: utime + stime + cutime + cstime (fields 14 to 17). */
  static long parseTree(final String stat) {
    final String[] f = fields(stat);
    return ticks(f, 14) + ticks(f, 15) + ticks(f, 16) + ticks(f, 17);
  }

  // the fields after the command name; index 0 is field 3 (state)
  private static String[] fields(final String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
  }

  private static long ticks(final String[] fields, final int field) {
    return Long.parseLong(fields[field - 3]) * (1_000_000_000L / TICKS_PER_SECOND);
  }
}
