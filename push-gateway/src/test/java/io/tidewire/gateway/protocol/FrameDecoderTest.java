package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.testing.TestKit;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

  @Test
  void decodesPing() {
    assertThat(request("{\"op\":\"ping\",\"ref\":\"3\"}")).isEqualTo(new ClientFrame.Ping("3"));
  }

  @Test
  void decodesSubscribeWithDefaults() {
    assertThat(request("{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"user\"}"))
        .isEqualTo(new ClientFrame.Subscribe("1", new Channel(Channel.Kind.USER, Optional.empty(), "user"),
            Optional.empty(), TypeFilter.all()));
  }

  @Test
  void decodesSubscribeWithCursorTypesAndExplicitUser() {
    final Cursor cursor = Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("u-9"), 1, 7);
    final ClientFrame frame = request("{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"user:u-9\",\"cursor\":\""
        + TestKit.CURSORS.encode(cursor) + "\",\"types\":[\"generation.*\",\"credits.updated\"],\"future\":1}");

    assertThat(frame).isInstanceOfSatisfying(ClientFrame.Subscribe.class, s -> {
      assertThat(s.channel()).isEqualTo(new Channel(Channel.Kind.USER, Optional.of("u-9"), "user:u-9"));
      assertThat(s.cursor()).contains(cursor);
      assertThat(s.types().globs()).containsExactly("generation.*", "credits.updated");
    });
  }

  @Test
  void decodesUnsubscribeAndAuth() {
    assertThat(request("{\"op\":\"unsubscribe\",\"ref\":\"2\",\"channel\":\"feed\"}"))
        .isEqualTo(new ClientFrame.Unsubscribe("2", new Channel(Channel.Kind.FEED, Optional.empty(), "feed")));
    assertThat(request("{\"op\":\"auth\",\"ref\":\"4\",\"token\":\"t\"}"))
        .isEqualTo(new ClientFrame.Auth("4", "t"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "not json", "{", "}", "[]", "[1,2]", "42", "\"ping\"", "null", "true",
      "{\"op\":\"ping\",\"ref\":\"1\"} trailing", "{\"op\":\"ping\",\"ref\":\"1\"}{}",
      "\u0000\u0001", "{\"op\":\"ping\",\"ref\":\"1\",\"ref\":\"2\"}", "{'op':'ping','ref':'1'}"})
  void garbageIsBadRequestWithoutRef(final String text) {
    assertThat(error(text)).isEqualTo(new ProtocolError(Optional.empty(), ErrorCode.BAD_REQUEST,
        error(text).message()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"op\":\"ping\"}", "{\"op\":\"ping\",\"ref\":7}", "{\"op\":\"ping\",\"ref\":\"\"}",
      "{\"op\":\"ping\",\"ref\":null}", "{\"op\":\"ping\",\"ref\":{\"a\":1}}"})
  void missingOrInvalidRefIsBadRequestWithoutRef(final String text) {
    assertThat(error(text).ref()).isEmpty();
    assertThat(error(text).code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  void tooLongRefIsNotEchoed() {
    assertThat(error("{\"op\":\"ping\",\"ref\":\"" + "r".repeat(65) + "\"}").ref()).isEmpty();
  }

  @Test
  void unknownOpEchoesRef() {
    assertThat(error("{\"op\":\"dance\",\"ref\":\"9\"}"))
        .isEqualTo(ProtocolError.badRequest(Optional.of("9"), "unknown op"));
    assertThat(error("{\"ref\":\"9\"}")).isEqualTo(ProtocolError.badRequest(Optional.of("9"), "missing op"));
    assertThat(error("{\"op\":1,\"ref\":\"9\"}").ref()).contains("9");
  }

  @Test
  void missingOrUnknownChannelEchoesRef() {
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"5\"}"))
        .isEqualTo(ProtocolError.badRequest(Optional.of("5"), "missing channel"));
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"5\",\"channel\":\"admin\"}"))
        .isEqualTo(ProtocolError.badRequest(Optional.of("5"), "unknown channel"));
    assertThat(error("{\"op\":\"unsubscribe\",\"ref\":\"5\",\"channel\":\"user:\"}").message())
        .isEqualTo("unknown channel");
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"5\",\"channel\":[\"feed\"]}").message())
        .isEqualTo("channel must be a string");
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"5\",\"channel\":\"user: x\"}").message())
        .isEqualTo("unknown channel");
  }

  @Test
  void invalidCursorOrTypesEchoRef() {
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"6\",\"channel\":\"feed\",\"cursor\":\"nope\"}"))
        .satisfies(e -> {
          assertThat(e.ref()).contains("6");
          assertThat(e.message()).startsWith("invalid cursor");
        });
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"6\",\"channel\":\"feed\",\"cursor\":5}").message())
        .isEqualTo("cursor must be a string");
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"6\",\"channel\":\"feed\",\"types\":\"generation.*\"}").message())
        .isEqualTo("types must be an array of strings");
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"6\",\"channel\":\"feed\",\"types\":[1]}").message())
        .isEqualTo("types must be an array of strings");
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"6\",\"channel\":\"feed\",\"types\":[]}").message())
        .contains("at least one");
  }

  @Test
  void nullCursorAndTypesMeanAbsent() {
    assertThat(request("{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"feed\",\"cursor\":null,\"types\":null}"))
        .isInstanceOfSatisfying(ClientFrame.Subscribe.class, s -> {
          assertThat(s.cursor()).isEmpty();
          assertThat(s.types()).isSameAs(TypeFilter.all());
        });
  }

  @Test
  void snapshotIsABooleanOfTheUserChannelOnly() {
    assertThat(request("{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"user\",\"snapshot\":true}"))
        .isEqualTo(new ClientFrame.Subscribe("1", new Channel(Channel.Kind.USER, Optional.empty(), "user"),
            Optional.empty(), TypeFilter.all(), false, true));
    for (final String absent : List.of("false", "null")) {
      assertThat(request("{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":\"feed\",\"snapshot\":"
          + absent + "}")).isInstanceOfSatisfying(ClientFrame.Subscribe.class,
          s -> assertThat(s.snapshot()).isFalse());
    }
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"7\",\"channel\":\"feed\",\"snapshot\":true}"))
        .isEqualTo(ProtocolError.badRequest(Optional.of("7"), "snapshot is only available on the user channel"));
    assertThat(error("{\"op\":\"subscribe\",\"ref\":\"7\",\"channel\":\"user\",\"snapshot\":\"yes\"}"))
        .isEqualTo(ProtocolError.badRequest(Optional.of("7"), "snapshot must be a boolean"));
  }

  @Test
  void authWithoutTokenIsBadRequest() {
    assertThat(error("{\"op\":\"auth\",\"ref\":\"4\"}")).isEqualTo(ProtocolError.badRequest(Optional.of("4"), "missing token"));
    assertThat(error("{\"op\":\"auth\",\"ref\":\"4\",\"token\":\"\"}").message()).isEqualTo("missing token");
    assertThat(error("{\"op\":\"auth\",\"ref\":\"4\",\"token\":\"" + "t".repeat(8193) + "\"}").message())
        .isEqualTo("token too long");
  }

  @Test
  void deeplyNestedInputDoesNotThrow() {
    final String deep = "[".repeat(5000) + "]".repeat(5000);

    assertThat(FrameDecoder.decode(deep, TestKit.CURSORS)).isInstanceOf(Decoded.Invalid.class);
    assertThat(FrameDecoder.decode("{\"op\":\"ping\",\"ref\":\"1\",\"x\":" + deep + "}", TestKit.CURSORS))
        .isInstanceOf(Decoded.class);
  }

  @Test
  void everyGarbageListEntryIsHandled() {
    for (final String text : List.of("{\"op\":null,\"ref\":\"1\"}", "{\"op\":\"subscribe\",\"ref\":\"1\",\"channel\":null}")) {
      assertThat(FrameDecoder.decode(text, TestKit.CURSORS)).isInstanceOf(Decoded.Invalid.class);
    }
  }

  private static ClientFrame request(final String text) {
    final Decoded decoded = FrameDecoder.decode(text, TestKit.CURSORS);
    assertThat(decoded).isInstanceOf(Decoded.Request.class);
    return ((Decoded.Request) decoded).frame();
  }

  private static ProtocolError error(final String text) {
    final Decoded decoded = FrameDecoder.decode(text, TestKit.CURSORS);
    assertThat(decoded).as(text).isInstanceOf(Decoded.Invalid.class);
    return ((Decoded.Invalid) decoded).error();
  }
}
