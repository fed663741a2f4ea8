package io.tidewire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WireNamesTest {

  @ParameterizedTest
  @EnumSource(ClientOp.class)
  void clientOpsRoundTripThroughTheirWireName(final ClientOp op) {
    assertThat(ClientOp.fromWire(op.wire())).contains(op);
  }

  @ParameterizedTest
  @EnumSource(ServerOp.class)
  void serverOpsRoundTripThroughTheirWireName(final ServerOp op) {
    assertThat(ServerOp.fromWire(op.wire())).contains(op);
  }

  @Test
  void opsAreTheLowerCaseWordsOfProtocolV1() {
    assertThat(Arrays.stream(ClientOp.values()).map(ClientOp::wire))
        .containsExactly("subscribe", "unsubscribe", "ping", "auth", "join", "leave", "broadcast",
            "track", "untrack");
    assertThat(Arrays.stream(ServerOp.values()).map(ServerOp::wire))
        .containsExactly("subscribed", "snapshot", "event", "unsubscribed", "pong", "authenticated", "error",
            "joined", "left", "broadcast", "broadcast_ack", "tracked", "untracked", "presence_diff");
  }

  @Test
  void unknownOpsAreNotRecognised() {
    Stream.of("SUBSCRIBE", "publish", "", "toString", null).forEach(op -> {
      assertThat(ClientOp.fromWire(op)).as("%s", op).isEmpty();
      assertThat(ServerOp.fromWire(op)).as("%s", op).isEmpty();
    });
    assertThat(ClientOp.fromWire("subscribed")).isEmpty();
    assertThat(ClientOp.fromWire("presence_diff")).isEmpty();
    assertThat(ServerOp.fromWire("subscribe")).isEmpty();
  }

  @Test
  void theEndpointPathNamesTheVersion() {
    assertThat(Protocol.PATH).isEqualTo("/v1/realtime");
    assertThat(Protocol.USER_CHANNEL_PREFIX).isEqualTo("user:");
  }
}
