package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.client.Frames.Inbound;
import io.tidewire.protocol.ProtocolCodes.Advice;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FramesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void subscribeCarriesCursorAndTypesOnlyWhenGiven() throws Exception {
    assertThat(JSON.readTree(Frames.subscribe("1", Channel.user(), Optional.empty())))
        .isEqualTo(JSON.readTree("{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"user\"}"));
    assertThat(JSON.readTree(Frames.subscribe("2", Channel.feed().types("feed.*", "x"), Optional.of("v1.abc"))))
        .isEqualTo(JSON.readTree("{\"op\":\"subscribe\",\"ref\":\"2\",\"channel\":\"feed\","
            + "\"cursor\":\"v1.abc\",\"types\":[\"feed.*\",\"x\"]}"));
  }

  @Test
  void theInitialStateIsAskedForOnlyWithoutACursor() throws Exception {
    assertThat(JSON.readTree(Frames.subscribe("1", Channel.user().withInitialState().types("credits.*"),
        Optional.empty()))).isEqualTo(JSON.readTree("{\"op\":\"subscribe\",\"ref\":\"1\","
            + "\"channel\":\"user\",\"types\":[\"credits.*\"],\"snapshot\":true}"));
    assertThat(JSON.readTree(Frames.subscribe("2", Channel.user().withInitialState(), Optional.of("v3.c"))))
        .isEqualTo(JSON.readTree("{\"op\":\"subscribe\",\"ref\":\"2\",\"channel\":\"user\","
            + "\"cursor\":\"v3.c\"}"));
  }

  @Test
  void onlyTheUserChannelHasAnInitialState() {
    assertThat(Channel.named("user:u-1").withInitialState().initialState()).isTrue();
    assertThatThrownBy(() -> Channel.feed().withInitialState())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only the user channel");
  }

  @Test
  void authAndPingAreRequestsWithRefs() throws Exception {
    assertThat(JSON.readTree(Frames.auth("3", "t")))
        .isEqualTo(JSON.readTree("{\"op\":\"auth\",\"ref\":\"3\",\"token\":\"t\"}"));
    assertThat(JSON.readTree(Frames.ping("4"))).isEqualTo(JSON.readTree("{\"op\":\"ping\",\"ref\":\"4\"}"));
  }

  @Test
  void readsAnEventWithItsCursorAndData() throws Exception {
    final Inbound frame = Frames.decode("{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e1\","
        + "\"type\":\"generation.progress\",\"cursor\":\"v1.c\",\"ts\":1700000000123,\"data\":{\"progress\":40},"
        + "\"future\":true}");

    assertThat(frame).isEqualTo(new Inbound.EventFrame(new Event("user", "e1", "generation.progress", "v1.c",
        Instant.ofEpochMilli(1_700_000_000_123L), JSON.readTree("{\"progress\":40}"))));
  }

  @Test
  void readsSubscribedWithAndWithoutCursor() {
    assertThat(Frames.decode("{\"op\":\"subscribed\",\"ref\":\"1\",\"channel\":\"user\",\"recovered\":true,\"cursor\":\"c\"}"))
        .isEqualTo(new Inbound.SubscribedReply("1", new Subscribed("user", true, Optional.of("c"))));
    assertThat(Frames.decode("{\"op\":\"subscribed\",\"ref\":\"2\",\"channel\":\"feed\",\"recovered\":false}"))
        .isEqualTo(new Inbound.SubscribedReply("2", new Subscribed("feed", false, Optional.empty())));
  }

  @Test
  void readsSnapshotErrorPongAndAuthenticated() throws Exception {
    assertThat(Frames.decode("{\"op\":\"snapshot\",\"channel\":\"user\",\"cursor\":\"s\",\"data\":{\"credits\":5}}"))
        .isEqualTo(new Inbound.SnapshotFrame(new Snapshot("user", Optional.of("s"), JSON.readTree("{\"credits\":5}"))));
    assertThat(Frames.decode("{\"op\":\"error\",\"ref\":\"7\",\"code\":\"bad_request\",\"message\":\"bad cursor\"}"))
        .isEqualTo(new Inbound.ErrorFrame(Optional.of("7"), Optional.of(ErrorCode.BAD_REQUEST), "bad_request",
            "bad cursor"));
    assertThat(Frames.decode("{\"op\":\"error\",\"code\":\"brand_new\",\"message\":\"m\"}"))
        .isEqualTo(new Inbound.ErrorFrame(Optional.empty(), Optional.empty(), "brand_new", "m"));
    assertThat(Frames.decode("{\"op\":\"pong\",\"ref\":\"9\"}")).isEqualTo(new Inbound.Pong("9"));
    assertThat(Frames.decode("{\"op\":\"authenticated\",\"ref\":\"4\",\"exp\":1}")).isEqualTo(new Inbound.Authenticated("4"));
  }

  @Test
  void anErrorFrameCarriesItsCodesAdviceAndAnUnknownCodeIsRetried() {
    assertThat(((Inbound.ErrorFrame) Frames.decode("{\"op\":\"error\",\"code\":\"forbidden\"}")).advice())
        .isEqualTo(Advice.TERMINAL);
    assertThat(((Inbound.ErrorFrame) Frames.decode("{\"op\":\"error\",\"code\":\"rate_limited\"}")).advice())
        .isEqualTo(Advice.RETRY);
    assertThat(((Inbound.ErrorFrame) Frames.decode("{\"op\":\"error\",\"code\":\"token_expired\"}")).advice())
        .isEqualTo(Advice.RENEW_TOKEN);
    assertThat(((Inbound.ErrorFrame) Frames.decode("{\"op\":\"error\",\"code\":\"brand_new\"}")).advice())
        .isEqualTo(Advice.RETRY);
  }

  @Test
  void anUnknownOpIsNotAnError() {
    assertThat(Frames.decode("{\"op\":\"presence\",\"who\":[]}")).isEqualTo(new Inbound.Unknown("presence"));
  }

  @Test
  void unreadableFramesAreMalformed() {
    assertThat(Frames.decode("not json")).isInstanceOf(Inbound.Malformed.class);
    assertThat(Frames.decode("[1,2]")).isInstanceOf(Inbound.Malformed.class);
    assertThat(Frames.decode("{\"ref\":\"1\"}")).isInstanceOf(Inbound.Malformed.class);
    assertThat(Frames.decode("{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e\",\"type\":\"t\",\"ts\":1}"))
        .isEqualTo(new Inbound.Malformed("event frame without a valid cursor"));
    assertThat(Frames.decode("{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e\",\"type\":\"t\",\"cursor\":\"c\",\"ts\":\"x\"}"))
        .isEqualTo(new Inbound.Malformed("event frame without a valid ts"));
    assertThat(Frames.decode("{\"op\":\"subscribed\",\"channel\":\"user\"}")).isInstanceOf(Inbound.Malformed.class);
  }

  @Test
  void channelRequestsCarryTheirFields() throws Exception {
    assertThat(JSON.readTree(Frames.join("1", "room:a", ChannelOptions.defaults().withAck(true))))
        .isEqualTo(JSON.readTree("{\"op\":\"join\",\"ref\":\"1\",\"channel\":\"room:a\",\"self\":false,\"ack\":true}"));
    assertThat(JSON.readTree(Frames.broadcast("2", "room:a", "typing", JSON.readTree("{\"x\":1}"))))
        .isEqualTo(JSON.readTree("{\"op\":\"broadcast\",\"ref\":\"2\",\"channel\":\"room:a\",\"event\":\"typing\","
            + "\"payload\":{\"x\":1}}"));
    assertThat(JSON.readTree(Frames.track("3", "room:a", JSON.readTree("{\"name\":\"A\"}"))))
        .isEqualTo(JSON.readTree("{\"op\":\"track\",\"ref\":\"3\",\"channel\":\"room:a\",\"meta\":{\"name\":\"A\"}}"));
    assertThat(JSON.readTree(Frames.untrack("4", "room:a")))
        .isEqualTo(JSON.readTree("{\"op\":\"untrack\",\"ref\":\"4\",\"channel\":\"room:a\"}"));
    assertThat(JSON.readTree(Frames.leave("5", "room:a")))
        .isEqualTo(JSON.readTree("{\"op\":\"leave\",\"ref\":\"5\",\"channel\":\"room:a\"}"));
  }

  @Test
  void channelFramesDecode() {
    assertThat(Frames.decode("{\"op\":\"joined\",\"ref\":\"1\",\"channel\":\"room:a\",\"presence\":"
        + "{\"u1\":[{\"ref\":\"r1\",\"meta\":{\"n\":1}}]}}"))
        .isEqualTo(new Inbound.Joined("1", "room:a", Optional.of(new PresenceState(java.util.Map.of("u1",
            java.util.List.of(new Presence("r1", JSON.createObjectNode().put("n", 1))))))));
    assertThat(Frames.decode("{\"op\":\"broadcast\",\"channel\":\"room:a\",\"id\":\"m\",\"event\":\"e\","
        + "\"from\":\"u1\",\"payload\":{}}"))
        .isEqualTo(new Inbound.BroadcastFrame(new Broadcast("room:a", "m", "e", "u1", JSON.createObjectNode())));
    assertThat(Frames.decode("{\"op\":\"broadcast_ack\",\"ref\":\"7\",\"channel\":\"room:a\",\"id\":\"m\"}"))
        .isEqualTo(new Inbound.BroadcastAck("7", "room:a", "m"));
    assertThat(Frames.decode("{\"op\":\"presence_diff\",\"channel\":\"room:a\",\"joins\":{},"
        + "\"leaves\":{\"u1\":[{\"ref\":\"r1\"}]}}"))
        .isEqualTo(new Inbound.PresenceDiff("room:a", java.util.Map.of(),
            java.util.Map.of("u1", java.util.List.of(new Presence("r1", JSON.createObjectNode())))));
    assertThat(Frames.decode("{\"op\":\"broadcast\",\"channel\":\"room:a\",\"event\":\"e\"}"))
        .isInstanceOf(Inbound.Malformed.class);
    assertThat(Frames.decode("{\"op\":\"presence_diff\",\"channel\":\"room:a\",\"joins\":{\"u\":3}}"))
        .isInstanceOf(Inbound.Malformed.class);
  }
}
