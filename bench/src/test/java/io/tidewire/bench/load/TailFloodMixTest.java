package io.tidewire.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TailFloodMixTest {

  private static final List<String> USERS = List.of("a", "b", "c");

  @Test
  void aShareAddressesThatFractionOfRecordsEvenlySpread() {
    final TailFlood.Mix mix = new TailFlood.Mix(USERS, 0.05);
    assertThat((double) mix.connectedAmong(TailFlood.POOL) / TailFlood.POOL)
        .isCloseTo(0.05, within(1e-3));
    // spread: every window of 1,000 records has its share, not a block at the start
    for (int from = 0; from < 10_000; from += 1_000) {
      final int start = from;
      final long inWindow = IntStream.range(start, start + 1_000).filter(mix::toConnected).count();
      assertThat(inWindow).isBetween(45L, 55L);
    }
  }

  @Test
  void countsOverManyPoolsAddUp() {
    final TailFlood.Mix mix = new TailFlood.Mix(USERS, 0.05);
    final long perPool = mix.connectedAmong(TailFlood.POOL);
    assertThat(mix.connectedAmong(3L * TailFlood.POOL + 10))
        .isEqualTo(3 * perPool + IntStream.range(0, 10).filter(mix::toConnected).count());
  }

  @Test
  void noShareAndAFullShareAreExact() {
    assertThat(new TailFlood.Mix(List.of(), 0).connectedAmong(100_000)).isZero();
    assertThat(new TailFlood.Mix(USERS, 1).connectedAmong(100_000)).isEqualTo(100_000);
  }

  @Test
  void aShareWithoutConnectedUsersIsRefused() {
    assertThatThrownBy(() -> new TailFlood.Mix(List.of(), 0.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
