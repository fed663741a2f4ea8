package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.infra.EmbeddedKafka.QuorumNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerCommandTest {

  @Test
  void votersAreIdPortAndControllerPortTriples() {
    assertThat(BrokerCommand.parseVoters(List.of("1:19092:19192", "2:19093:19193")))
        .containsExactly(new QuorumNode(1, 19092, 19192), new QuorumNode(2, 19093, 19193));
  }

  @Test
  void aVoterWithoutItsControllerPortIsRejected() {
    assertThatThrownBy(() -> BrokerCommand.parseVoters(List.of("1:19092")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1:19092");
  }
}
