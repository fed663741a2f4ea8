package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tidewire.client.testing.Randoms;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration CAP = Duration.ofSeconds(5);

  @Test
  void ceilingDoublesFromBaseUntilCap() {
    final Backoff backoff = new Backoff(BASE, CAP, new SplittableRandom(1));

    assertThat(IntStream.range(0, 8).mapToObj(backoff::ceiling).map(Duration::toMillis).toList())
        .containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
  }

  @Test
  void ceilingStaysAtCapForHugeAttemptsWithoutOverflow() {
    final Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofDays(365), new SplittableRandom(1));

    assertThat(backoff.ceiling(62)).isEqualTo(Duration.ofDays(365));
    assertThat(backoff.ceiling(63)).isEqualTo(Duration.ofDays(365));
    assertThat(backoff.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void everyDelayLiesWithinZeroAndItsCeiling() {
    final Backoff backoff = new Backoff(BASE, CAP, new SplittableRandom(7));

    for (int attempt = 0; attempt < 12; attempt++) {
      for (int i = 0; i < 1_000; i++) {
        assertThat(backoff.delay(attempt)).isBetween(Duration.ZERO, backoff.ceiling(attempt));
      }
    }
  }

  @Test
  void fullJitterSpreadsDelaysUniformlyOverTheWindow() {
    final Backoff backoff = new Backoff(BASE, CAP, new SplittableRandom(42));
    final long ceiling = backoff.ceiling(3).toNanos();
    final int samples = 20_000;
    final int[] deciles = new int[10];
    double sum = 0;
    for (int i = 0; i < samples; i++) {
      final long delay = backoff.delay(3).toNanos();
      sum += delay;
      deciles[(int) Math.min(9, delay * 10 / (ceiling + 1))]++;
    }

    assertThat(sum / samples / ceiling).isCloseTo(0.5, within(0.02));
    for (final int count : deciles) {
      assertThat(count).isBetween(samples / 10 - 300, samples / 10 + 300);
    }
  }

  @Test
  void nextGrowsPerAttemptAndResetStartsOver() {
    final Backoff backoff = new Backoff(BASE, CAP, Randoms.HIGHEST);

    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.attempt()).isEqualTo(3);

    backoff.reset();

    assertThat(backoff.attempt()).isZero();
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void nextNeverExceedsTheCapHoweverManyAttempts() {
    final Backoff backoff = new Backoff(BASE, CAP, Randoms.HIGHEST);

    IntStream.range(0, 100).forEach(i -> assertThat(backoff.next()).isLessThanOrEqualTo(CAP));
    assertThat(backoff.next()).isEqualTo(CAP);
  }

  @Test
  void rejectsNonPositiveBaseAndCapBelowBase() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, CAP)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-1), CAP)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(CAP, BASE)).isInstanceOf(IllegalArgumentException.class);
  }
}
