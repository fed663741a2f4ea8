package io.tidewire.bench.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU used by each process between {@link #start} and {@link #cores()}, in cores (CPU seconds
 * per wall second). Not thread-safe.
 */
public final class CpuWindow {

  private final Supplier<Map<String, Long>> source;
  private final Map<String, Long> before;
  private final long startNanos;

  private CpuWindow(final Supplier<Map<String, Long>> source) {
    this.source = source;
    this.before = source.get();
    this.startNanos = System.nanoTime();
  }

  /** Starts a window over the CPU clocks {@code source} reads (name → CPU nanoseconds). */
  public static CpuWindow start(final Supplier<Map<String, Long>> source) {
    return new CpuWindow(source);
  }

  /** Cores used per process since the start, rounded to two decimals, plus their {@code total}. */
  public Map<String, Double> cores() {
    return cores(before, source.get(), System.nanoTime() - startNanos);
  }

  /** Cores used per name between two readings {@code wallNanos} apart. */
  public static Map<String, Double> cores(final Map<String, Long> before,
      final Map<String, Long> after, final long wallNanos) {
    final Map<String, Double> cores = new LinkedHashMap<>();
    double total = 0;
    for (final Map.Entry<String, Long> e : after.entrySet()) {
      final Long was = before.get(e.getKey());
      if (was == null || wallNanos <= 0) {
        continue;
      }
      final double used = (e.getValue() - was) / (double) wallNanos;
      cores.put(e.getKey(), Math.round(used * 100) / 100.0);
      total += used;
    }
    cores.put("total", Math.round(total * 100) / 100.0);
    return cores;
  }
}
