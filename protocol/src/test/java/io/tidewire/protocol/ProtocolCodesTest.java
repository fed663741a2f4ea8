package io.tidewire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.protocol.ProtocolCodes.Advice;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.protocol.ProtocolCodes.OtherCloseCode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolCodesTest {

  @Test
  void everyErrorCodeHasItsOwnWireName() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire))
        .doesNotHaveDuplicates()
        .allSatisfy(wire -> assertThat(wire).matches("[a-z]+(_[a-z]+)*"));
  }

  @Test
  void everyCloseCodeHasItsOwnNumberAmongSentAndOtherCodes() {
    final Stream<Integer> sent = Arrays.stream(CloseCode.values()).map(CloseCode::code);
    final Stream<Integer> other = Arrays.stream(OtherCloseCode.values()).map(OtherCloseCode::code);
    assertThat(Stream.concat(sent, other)).doesNotHaveDuplicates()
        .allSatisfy(code -> assertThat(code).isBetween(1000, 4999));
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void errorCodesRoundTripThroughTheirWireName(final ErrorCode code) {
    assertThat(ErrorCode.fromWire(code.wire())).contains(code);
    assertThat(ProtocolCodes.adviceForError(code.wire())).isEqualTo(code.advice());
  }

  @ParameterizedTest
  @EnumSource(CloseCode.class)
  void closeCodesRoundTripThroughTheirNumberAndFitInACloseFrame(final CloseCode code) {
    assertThat(CloseCode.of(code.code())).contains(code);
    assertThat(OtherCloseCode.of(code.code())).isEmpty();
    assertThat(ProtocolCodes.adviceForClose(code.code())).isEqualTo(code.advice());
    // a close frame's payload is at most 125 bytes: 2 for the code, the rest for the reason
    assertThat(code.reason().getBytes(StandardCharsets.UTF_8).length).isPositive().isLessThanOrEqualTo(123);
  }

  @Test
  void errorCodesCarryTheirAdvice() {
    assertThat(adviceOfEveryErrorCode()).isEqualTo(Map.ofEntries(
        Map.entry("bad_request", Advice.TERMINAL),
        Map.entry("unauthorized", Advice.RENEW_TOKEN),
        Map.entry("forbidden", Advice.TERMINAL),
        Map.entry("rate_limited", Advice.RETRY),
        Map.entry("slow_consumer", Advice.RETRY),
        Map.entry("token_expired", Advice.RENEW_TOKEN),
        Map.entry("internal", Advice.RETRY),
        Map.entry("payload_too_large", Advice.TERMINAL),
        Map.entry("not_joined", Advice.TERMINAL),
        Map.entry("too_many_channels", Advice.TERMINAL),
        Map.entry("too_many_presences", Advice.RETRY)));
  }

  @Test
  void closeCodesOfTheGatewayCarryTheirAdvice() {
    assertThat(ProtocolCodes.adviceForClose(1000)).isEqualTo(Advice.TERMINAL);
    assertThat(ProtocolCodes.adviceForClose(1001)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForClose(1009)).isEqualTo(Advice.TERMINAL);
    assertThat(ProtocolCodes.adviceForClose(1011)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForClose(4001)).isEqualTo(Advice.RENEW_TOKEN);
    assertThat(ProtocolCodes.adviceForClose(4002)).isEqualTo(Advice.RENEW_TOKEN);
    assertThat(ProtocolCodes.adviceForClose(4008)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForClose(4029)).isEqualTo(Advice.RETRY);
    assertThat(Arrays.stream(CloseCode.values()).filter(CloseCode::reconnect))
        .containsExactly(CloseCode.GOING_AWAY, CloseCode.INTERNAL_ERROR, CloseCode.TOKEN_EXPIRED,
            CloseCode.UNAUTHORIZED, CloseCode.SLOW_CONSUMER, CloseCode.RATE_LIMITED);
  }

  @Test
  void aConnectionLostWithoutACloseFrameIsRetried() {
    assertThat(ProtocolCodes.adviceForClose(OtherCloseCode.ABNORMAL.code())).isEqualTo(Advice.RETRY);
    assertThat(OtherCloseCode.ABNORMAL.code()).isEqualTo(1006);
  }

  @ParameterizedTest
  @ValueSource(ints = {1002, 1003, 1007, 1008, 1010})
  void protocolAndPolicyViolationsAreTerminal(final int code) {
    assertThat(ProtocolCodes.adviceForClose(code)).isEqualTo(Advice.TERMINAL);
  }

  @ParameterizedTest
  @ValueSource(ints = {1004, 1005, 1012, 1013, 1014, 1015, 3000, 4000, 4999, 0, -1, 65535})
  void closeCodesNobodyListsAreRetried(final int code) {
    assertThat(ProtocolCodes.adviceForClose(code)).isEqualTo(Advice.RETRY);
  }

  @Test
  void errorCodesOfANewerGatewayAreUnknownAndRetried() {
    for (final String wire : new String[] {"something_new", "unknown", "", "BAD_REQUEST", "toString"}) {
      assertThat(ErrorCode.fromWire(wire)).as(wire).isEmpty();
      assertThat(ProtocolCodes.adviceForError(wire)).as(wire).isEqualTo(Advice.RETRY);
    }
    assertThat(ErrorCode.fromWire(null)).isEmpty();
  }

  @Test
  void httpStatusAtTheUpgradeDecidesBetweenRenewRetryAndStop() {
    assertThat(ProtocolCodes.adviceForHttpStatus(401)).isEqualTo(Advice.RENEW_TOKEN);
    IntStream.of(408, 429, 500, 502, 503, 504, 200, 101, 302)
        .forEach(status -> assertThat(ProtocolCodes.adviceForHttpStatus(status)).as("HTTP %d", status)
            .isEqualTo(Advice.RETRY));
    IntStream.of(400, 403, 404, 405, 426, 499)
        .forEach(status -> assertThat(ProtocolCodes.adviceForHttpStatus(status)).as("HTTP %d", status)
            .isEqualTo(Advice.TERMINAL));
  }

  @Test
  void onlyTerminalAdviceStopsReconnecting() {
    assertThat(Arrays.stream(Advice.values()).filter(Advice::reconnect))
        .containsExactly(Advice.RETRY, Advice.RENEW_TOKEN);
    assertThat(Arrays.stream(Advice.values()).map(Advice::wire))
        .containsExactly("retry", "renew_token", "terminal");
  }

  private static Map<String, Advice> adviceOfEveryErrorCode() {
    return Arrays.stream(ErrorCode.values())
        .collect(Collectors.toMap(ErrorCode::wire, ErrorCode::advice));
  }
}
