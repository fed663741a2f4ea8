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
}
