package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

  @Test
  void recognisesAKeyAddedBefore() {
    final RecentIds ids = new RecentIds(10);

    assertThat(ids.add("a")).isTrue();
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("b")).isFalse();
    assertThat(ids.add("a")).isFalse();
  }

  @Test
  void neverHoldsMoreThanItsCapacity() {
    final RecentIds ids = new RecentIds(100);

    IntStream.range(0, 10_000).forEach(i -> ids.add("id-" + i));

    assertThat(ids.size()).isEqualTo(100);
    assertThat(ids.contains("id-9999")).isTrue();
    assertThat(ids.contains("id-9900")).isTrue();
    assertThat(ids.contains("id-9899")).isFalse();
  }

  @Test
  void evictsTheLeastRecentlySeenKeyFirst() {
    final RecentIds ids = new RecentIds(3);
    ids.add("a");
    ids.add("b");
    ids.add("c");

    assertThat(ids.contains("a")).isTrue(); // a is now the most recent; b the least
    ids.add("d");

    assertThat(ids.contains("b")).isFalse();
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("c")).isTrue();
    assertThat(ids.contains("d")).isTrue();
  }

  @Test
  void rejectsACapacityBelowOne() {
    assertThatThrownBy(() -> new RecentIds(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
