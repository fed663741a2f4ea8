package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.gateway.protocol.Channel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PositionTest {

  @Test
  void roundTripsTheCursorsOfBothStreams() {
    final Map<Channel.Kind, String> both = Map.of(Channel.Kind.USER, "v3.u", Channel.Kind.PUBLIC, "v3.p");
    assertThat(Position.write(both)).isEqualTo("tw1~v3.u~v3.p");
    assertThat(Position.read(Position.write(both))).isEqualTo(both);
    assertThat(Position.read("tw1~v3.u~")).isEqualTo(Map.of(Channel.Kind.USER, "v3.u"));
    assertThat(Position.read("")).isEmpty();
  }

  @Test
  void refusesWhatIsNotAPosition() {
    assertThatThrownBy(() -> Position.read("v3.u")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Position.read("tw2~a~b")).isInstanceOf(IllegalArgumentException.class);
  }
}
