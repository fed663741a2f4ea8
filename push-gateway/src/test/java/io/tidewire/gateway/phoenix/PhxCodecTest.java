package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PhxCodecTest {

  @Test
  void readsBothSerializersOfRealtimeJs() {
    final PhxMessage v2 = PhxCodec.V2.decode(
        "[\"1\",\"1\",\"realtime:x\",\"phx_join\",{\"config\":{\"postgres_changes\":[]}}]");
    final PhxMessage v1 = PhxCodec.V1.decode(
        "{\"topic\":\"realtime:x\",\"event\":\"phx_join\",\"payload\":{\"config\":{\"postgres_changes\":[]}},"
            + "\"ref\":\"1\",\"join_ref\":\"1\"}");
    assertThat(v1).isEqualTo(v2);
    assertThat(v2.joinRef()).contains("1");
    assertThat(v2.payload().path("config").has("postgres_changes")).isTrue();
  }

  @Test
  void heartbeatsHaveNoJoinRef() {
    final PhxMessage beat = PhxCodec.V2.decode("[null,\"7\",\"phoenix\",\"heartbeat\",{}]");
    assertThat(beat.joinRef()).isEmpty();
    assertThat(beat.ref()).contains("7");
  }

  @Test
  void writesEachSerializersShape() {
    final PhxMessage reply = new PhxMessage(Optional.of("1"), Optional.of("2"), "realtime:x", "phx_reply",
        JsonNodeFactory.instance.objectNode().put("status", "ok"));
    assertThat(PhxCodec.V2.encode(reply)).isEqualTo("[\"1\",\"2\",\"realtime:x\",\"phx_reply\",{\"status\":\"ok\"}]");
    assertThat(PhxCodec.V1.encode(reply)).isEqualTo(
        "{\"join_ref\":\"1\",\"ref\":\"2\",\"topic\":\"realtime:x\",\"event\":\"phx_reply\",\"payload\":{\"status\":\"ok\"}}");
    assertThat(PhxCodec.V1.decode(PhxCodec.V1.encode(reply))).isEqualTo(reply);
    assertThat(PhxCodec.V2.decode(PhxCodec.V2.encode(reply))).isEqualTo(reply);
  }

  @Test
  void choosesTheSerializerByVsnAndDefaultsToPhoenixsFirst() {
    assertThat(PhxCodec.of(Optional.of("2.0.0"))).contains(PhxCodec.V2);
    assertThat(PhxCodec.of(Optional.of("1.0.0"))).contains(PhxCodec.V1);
    assertThat(PhxCodec.of(Optional.empty())).contains(PhxCodec.V1);
    assertThat(PhxCodec.of(Optional.of("3.0.0"))).isEmpty();
  }

  @Test
  void refusesWhatIsNotAMessage() {
    assertThatThrownBy(() -> PhxCodec.V2.decode("{\"topic\":\"x\"}")).isInstanceOf(PhxCodec.PhxFormatException.class);
    assertThatThrownBy(() -> PhxCodec.V1.decode("[null,null,\"x\",\"e\",{}]"))
        .isInstanceOf(PhxCodec.PhxFormatException.class);
    assertThatThrownBy(() -> PhxCodec.V2.decode("[null,null,\"\",\"e\",{}]"))
        .isInstanceOf(PhxCodec.PhxFormatException.class);
    assertThatThrownBy(() -> PhxCodec.V2.decode("not json")).isInstanceOf(PhxCodec.PhxFormatException.class);
    assertThatThrownBy(() -> PhxCodec.V2.decode("[null,{},\"x\",\"e\",{}]"))
        .isInstanceOf(PhxCodec.PhxFormatException.class);
  }
}
