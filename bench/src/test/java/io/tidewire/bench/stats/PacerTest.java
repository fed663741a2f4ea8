package io.tidewire.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {

  @Test
  void operationsAreDueAtEvenlySpacedTimesFromTheStart() {
    final Pacer pacer = new Pacer(1_000, 5_000, () -> 0);
    assertThat(pacer.dueNanos(0)).isEqualTo(5_000);
    assertThat(pacer.dueNanos(1)).isEqualTo(5_000 + 1_000_000);
    assertThat(pacer.dueNanos(1_000)).isEqualTo(5_000 + 1_000_000_000L);
  }

  @Test
  void dueByCountsTheOperationsWhoseTimeHasCome() {
    final Pacer pacer = new Pacer(10, 0, () -> 0);
    assertThat(pacer.dueBy(-1)).isZero();
    assertThat(pacer.dueBy(0)).isEqualTo(1);
    assertThat(pacer.dueBy(99_999_999)).isEqualTo(1);
    assertThat(pacer.dueBy(100_000_000)).isEqualTo(2);
    assertThat(pacer.dueBy(1_000_000_000)).isEqualTo(11);
  }

  @Test
  void aLateDriverDoesNotWaitAndKeepsTheScheduledTime() {
    final Pacer pacer = new Pacer(1, 0, () -> 10_000_000_000L);
    assertThat(pacer.awaitDue(3)).isEqualTo(3_000_000_000L);
  }

  @Test
  void fractionalRatesKeepTheirPeriod() {
    final Pacer pacer = new Pacer(3, 0, () -> 0);
    assertThat(pacer.dueNanos(3)).isEqualTo(1_000_000_000L);
  }

  @Test
  void aRateMustBePositive() {
    assertThatThrownBy(() -> new Pacer(0, 0, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
