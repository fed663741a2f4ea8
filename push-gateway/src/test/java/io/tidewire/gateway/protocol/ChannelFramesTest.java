package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The broadcast/presence ops of protocol v1 through the codec: decoded requests, encoded replies. */
class ChannelFramesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ClientFrame request(final String text) {
    final Decoded decoded = FrameDecoder.decode(text, TestKit.CURSORS);
    assertThat(decoded).as(text).isInstanceOf(Decoded.Request.class);
    return ((Decoded.Request) decoded).frame();
  }

  private static ProtocolError refused(final String text) {
    final Decoded decoded = FrameDecoder.decode(text, TestKit.CURSORS);
    assertThat(decoded).as(text).isInstanceOf(Decoded.Invalid.class);
    return ((Decoded.Invalid) decoded).error();
  }

  @Test
  void decodesTheChannelOpsWithTheirDefaults() {
    assertThat(request("{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"room:lobby\",\"self\":true,\"ack\":true}"))
        .isEqualTo(new ClientFrame.Join("1", "room:lobby", true, true));
    assertThat(request("{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"user:0b9f/x@y\"}"))
        .isEqualTo(new ClientFrame.Join("1", "user:0b9f/x@y", false, false));
    assertThat(request("{\"op\":\"leave\",\"ref\":\"2\",\"channel\":\"room:lobby\"}"))
        .isEqualTo(new ClientFrame.Leave("2", "room:lobby"));
    assertThat(request("{\"op\":\"broadcast\",\"ref\":\"3\",\"channel\":\"room:lobby\",\"event\":\"typing\","
        + "\"payload\": {\"a\": [1, 2.5, \"x\"], \"b\": null}}"))
        .isEqualTo(new ClientFrame.Broadcast("3", "room:lobby", "typing", "{\"a\":[1,2.5,\"x\"],\"b\":null}"));
    assertThat(request("{\"op\":\"broadcast\",\"ref\":\"3\",\"channel\":\"room:lobby\",\"event\":\"typing\"}"))
        .isEqualTo(new ClientFrame.Broadcast("3", "room:lobby", "typing", "{}"));
    assertThat(request("{\"op\":\"track\",\"ref\":\"4\",\"channel\":\"room:lobby\",\"meta\":{\"name\":\"Ada\"}}"))
        .isEqualTo(new ClientFrame.Track("4", "room:lobby", "{\"name\":\"Ada\"}"));
    assertThat(request("{\"op\":\"untrack\",\"ref\":\"5\",\"channel\":\"room:lobby\"}"))
        .isEqualTo(new ClientFrame.Untrack("5", "room:lobby"));
  }

  @Test
  void refusesMalformedChannelOpsWithTheirRef() {
    for (final String text : List.of(
        "{\"op\":\"join\",\"ref\":\"1\"}",
        "{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"room lobby\"}",
        "{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"room:*\"}",
        "{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"a|b\"}",
        "{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"" + "x".repeat(201) + "\"}",
        "{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"room:a\",\"self\":\"yes\"}",
        "{\"op\":\"broadcast\",\"ref\":\"1\",\"channel\":\"room:a\"}",
        "{\"op\":\"broadcast\",\"ref\":\"1\",\"channel\":\"room:a\",\"event\":\"no spaces\"}",
        "{\"op\":\"broadcast\",\"ref\":\"1\",\"channel\":\"room:a\",\"event\":\"e\",\"payload\":[1]}",
        "{\"op\":\"broadcast\",\"ref\":\"1\",\"channel\":\"room:a\",\"event\":\"e\",\"payload\":\"s\"}",
        "{\"op\":\"track\",\"ref\":\"1\",\"channel\":\"room:a\",\"meta\":3}")) {
      final ProtocolError error = refused(text);
      assertThat(error.code()).as(text).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(error.ref()).as(text).contains("1");
    }
  }

  @Test
  void encodesJoinedWithTheStateGroupedByUser() throws Exception {
    final List<Presence> state = List.of(new Presence("room:a", "ada", "r1", "{\"n\":1}", "g1"),
        new Presence("room:a", "bob", "r2", "{}", "g2"), new Presence("room:a", "ada", "r3", "{\"n\":2}", "g2"));

    final JsonNode joined = JSON.readTree(FrameEncoder.encode(new Reply.Joined("1", "room:a", state), TestKit.CURSORS));

    assertThat(joined).isEqualTo(JSON.readTree("{\"op\":\"joined\",\"ref\":\"1\",\"channel\":\"room:a\",\"presence\":"
        + "{\"ada\":[{\"ref\":\"r1\",\"meta\":{\"n\":1}},{\"ref\":\"r3\",\"meta\":{\"n\":2}}],"
        + "\"bob\":[{\"ref\":\"r2\",\"meta\":{}}]}}"));
  }

  @Test
  void encodesBroadcastsDiffsAndTheShortReplies() throws Exception {
    final BroadcastMessage message = new BroadcastMessage("m1", "room:a", "typing", "ada", "{\"x\":[true]}",
        new BroadcastMessage.Sender("g1", 3));
    assertThat(JSON.readTree(FrameEncoder.encode(new Reply.Broadcast(message), TestKit.CURSORS)))
        .isEqualTo(JSON.readTree("{\"op\":\"broadcast\",\"channel\":\"room:a\",\"id\":\"m1\",\"event\":\"typing\","
            + "\"from\":\"ada\",\"payload\":{\"x\":[true]}}"));
    final Presence bob = new Presence("room:a", "bob", "r2", "{}", "g2");
    assertThat(JSON.readTree(FrameEncoder.encode(new Reply.PresenceChanged(
        new PresenceDiff("room:a", List.of(), List.of(bob))), TestKit.CURSORS)))
        .isEqualTo(JSON.readTree("{\"op\":\"presence_diff\",\"channel\":\"room:a\",\"joins\":{},"
            + "\"leaves\":{\"bob\":[{\"ref\":\"r2\",\"meta\":{}}]}}"));
    assertThat(FrameEncoder.encode(new Reply.BroadcastAck("3", "room:a", "m1"), TestKit.CURSORS))
        .isEqualTo("{\"op\":\"broadcast_ack\",\"ref\":\"3\",\"channel\":\"room:a\",\"id\":\"m1\"}");
    assertThat(FrameEncoder.encode(new Reply.Left("2", "room:a"), TestKit.CURSORS))
        .isEqualTo("{\"op\":\"left\",\"ref\":\"2\",\"channel\":\"room:a\"}");
    assertThat(FrameEncoder.encode(new Reply.Tracked("4", "room:a"), TestKit.CURSORS))
        .isEqualTo("{\"op\":\"tracked\",\"ref\":\"4\",\"channel\":\"room:a\"}");
    assertThat(FrameEncoder.encode(new Reply.Untracked("5", "room:a"), TestKit.CURSORS))
        .isEqualTo("{\"op\":\"untracked\",\"ref\":\"5\",\"channel\":\"room:a\"}");
    assertThat(FrameEncoder.encode(new ProtocolError(Optional.of("6"), ErrorCode.NOT_JOINED, "join room:a first"),
        TestKit.CURSORS)).contains("\"code\":\"not_joined\"");
  }
}
