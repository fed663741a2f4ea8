package io.tidewire.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuTest {

  @Test
  void statFieldsAreCountedAfterTheCommandNameEvenWithSpacesAndParentheses() {
    // utime 250 ticks, stime 50 ticks
    final String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 "
        + "12 0 1000 0 0";
    assertThat(CpuClock.parseStat(stat)).isEqualTo(3_000_000_000L);
  }

  @Test
  void aTreeCountsTheChildrenItReaped() {
    // utime 250, stime 50, cutime 100, cstime 100 ticks
    final String stat = "7 (postgres) S 1 7 7 0 -1 4194560 100 0 0 0 250 50 100 100 20 0 1 0";
    assertThat(CpuClock.parseTree(stat)).isEqualTo(5_000_000_000L);
  }

  @Test
  void thisProcessHasACpuClock() {
    assertThat(CpuClock.cpuNanos(ProcessHandle.current().pid())).isPresent();
    assertThat(CpuClock.cpuNanos(-1)).isEmpty();
  }

  @Test
  void coresAreCpuTimeOverWallTimePerProcessWithATotal() {
    final Map<String, Double> cores = CpuWindow.cores(
        Map.of("gateway", 0L, "capture", 1_000_000_000L),
        Map.of("gateway", 1_500_000_000L, "capture", 1_500_000_000L, "late", 9L),
        1_000_000_000L);
    assertThat(cores).containsEntry("gateway", 1.5).containsEntry("capture", 0.5)
        .containsEntry("total", 2.0).doesNotContainKey("late");
  }
}
