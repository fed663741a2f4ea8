package io.tidewire.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WsFleetFieldsTest {

  private static final String FRAME = "{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e1\","
      + "\"type\":\"generation.progress\",\"data\":{\"jobId\":\"j-7\",\"progress\":42,\"d\":-3}}";

  @Test
  void readsStringAndNumberFieldsOfAFrame() {
    assertThat(WsFleet.stringField(FRAME, "jobId")).contains("j-7");
    assertThat(WsFleet.longField(FRAME, "progress")).contains(42L);
    assertThat(WsFleet.longField(FRAME, "d")).contains(-3L);
    assertThat(WsFleet.stringField(FRAME, "absent")).isEmpty();
    assertThat(WsFleet.longField(FRAME, "jobId")).isEmpty();
  }

  @Test
  void worksOnAnyCharSequence() {
    final StringBuilder sb = new StringBuilder(FRAME);
    assertThat(WsFleet.contains(sb, "\"type\":\"generation.progress\"")).isTrue();
    assertThat(WsFleet.stringField(sb, "id")).contains("e1");
    assertThat(WsFleet.indexOf(sb, "nope", 0)).isEqualTo(-1);
  }
}
