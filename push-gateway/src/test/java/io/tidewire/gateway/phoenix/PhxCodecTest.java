package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  /** realtime-js's user broadcast push (serializer.ts: kind 3, lengths, encoding, strings, payload). */
  static byte[] userBroadcastPush(final String joinRef, final String ref, final String topic, final String event,
      final String metadata, final int encoding, final byte[] payload) {
    final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(3);
    for (final String s : List.of(joinRef, ref, topic, event, metadata)) {
      out.write(s.length());
    }
    out.write(encoding);
    for (final String s : List.of(joinRef, ref, topic, event, metadata)) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  @Test
  void readsRealtimeJsBinaryBroadcastPushAsTheJsonPushItStandsFor() {
    final PhxMessage push = PhxCodec.V2.decodeBinary(ByteBuffer.wrap(userBroadcastPush("1", "5", "realtime:room:a",
        "typing", "{\"x\":1}", 1, "{\"item\":\"v1\"}".getBytes(StandardCharsets.UTF_8))));
    assertThat(push).isEqualTo(PhxCodec.V2.decode(
        "[\"1\",\"5\",\"realtime:room:a\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"typing\","
            + "\"payload\":{\"item\":\"v1\"}}]"));

    final PhxMessage raw = PhxCodec.V2.decodeBinary(ByteBuffer.wrap(userBroadcastPush("", "", "realtime:room:a", "f",
        "", 0, new byte[] {1, 2, 3})));
    assertThat(raw.ref()).isEmpty();
    assertThat(raw.payload().get("payload").isBinary()).isTrue();
  }

  @Test
  void refusesBinaryFramesThatAreNotUserBroadcastPushes() {
    final byte[] good = userBroadcastPush("1", "5", "realtime:a", "e", "", 1, "{}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> PhxCodec.V1.decodeBinary(ByteBuffer.wrap(good)))
        .isInstanceOf(PhxCodec.PhxFormatException.class);
    final byte[] otherKind = good.clone();
    otherKind[0] = 4;
    assertThatThrownBy(() -> PhxCodec.V2.decodeBinary(ByteBuffer.wrap(otherKind)))
        .isInstanceOf(PhxCodec.PhxFormatException.class);
    assertThatThrownBy(() -> PhxCodec.V2.decodeBinary(ByteBuffer.wrap(java.util.Arrays.copyOf(good, 10))))
        .isInstanceOf(PhxCodec.PhxFormatException.class);
    assertThatThrownBy(() -> PhxCodec.V2.decodeBinary(ByteBuffer.wrap(userBroadcastPush("1", "5", "realtime:a", "e",
        "", 1, "{oops".getBytes(StandardCharsets.UTF_8))))).isInstanceOf(PhxCodec.PhxFormatException.class);
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
