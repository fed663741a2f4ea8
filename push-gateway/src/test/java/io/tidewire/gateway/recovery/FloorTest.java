package io.tidewire.gateway.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FloorTest {

  private record E(int partition, long offset) implements Positioned {}

  @Test
  void admitsAnEventOnlyAtOrAboveItsPartitionsFloorAndOnce() {
    Floor floor = Floor.of(Map.of(0, 5L));

    assertThat(floor.admits(new E(0, 4))).isFalse();
    assertThat(floor.admits(new E(0, 5))).isTrue();
    floor = floor.past(new E(0, 5));
    assertThat(floor.admits(new E(0, 5))).isFalse(); // a duplicate
    assertThat(floor.admits(new E(0, 9))).isTrue(); // a gap in offsets is a filtered record, not a loss
    floor = floor.past(new E(0, 9));
    assertThat(floor.toMap()).isEqualTo(Map.of(0, 10L));
  }

  @Test
  void partitionsItDoesNotNameAdmitNothing() {
    final Floor floor = Floor.of(Map.of(2, 0L));

    assertThat(floor.admits(new E(0, 7))).isFalse();
    assertThat(floor.admits(new E(3, 7))).isFalse();
    assertThat(floor.admits(new E(-1, 7))).isFalse();
    assertThatThrownBy(() -> floor.past(new E(0, 7))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isAValueThatMovingNeverChanges() {
    final Floor floor = Floor.of(Map.of(0, 5L, 1, 7L));

    final Floor moved = floor.past(new E(1, 8)).raise(Map.of(0, 20L, 3, 1L));

    assertThat(floor).isEqualTo(Floor.of(Map.of(0, 5L, 1, 7L)));
    assertThat(moved.toMap()).isEqualTo(Map.of(0, 20L, 1, 9L));
    assertThat(moved.raise(Map.of(0, 3L))).isSameAs(moved); // never lowered
  }

  @Test
  void reachedAndBelowAgreeOnWhatIsStillToRead() {
    final Floor target = Floor.of(Map.of(0, 10L, 1, 10L));
    final Floor floor = Floor.of(Map.of(0, 10L, 1, 4L));

    assertThat(floor.reached(target)).isFalse();
    assertThat(floor.below(target)).isEqualTo(Map.of(1, 4L));
    final Floor caughtUp = floor.raise(Map.of(1, 12L));
    assertThat(caughtUp.reached(target)).isTrue();
    assertThat(caughtUp.below(target)).isEmpty();
    assertThat(Floor.of(Map.of(0, 10L)).reached(target)).isFalse(); // a partition it lacks
  }

  @Test
  void includingNamesNewPartitionsAndNeverLowersNamedOnes() {
    final Floor floor = Floor.of(Map.of(2, 10L));

    final Floor grown = floor.including(Map.of(1, 40L, 2, 4L, 5, 0L));

    assertThat(grown.toMap()).isEqualTo(Map.of(1, 40L, 2, 10L, 5, 0L));
    assertThat(floor.including(Map.of(2, 12L)).toMap()).isEqualTo(Map.of(2, 12L));
    assertThat(grown.admits(new E(1, 40))).isTrue();
    assertThat(grown.admits(new E(3, 40))).isFalse();
    assertThatThrownBy(() -> floor.including(Map.of(-1, 0L))).isInstanceOf(IllegalArgumentException.class);
  }
}
