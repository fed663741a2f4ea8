package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.client.ProtocolCodes.Advice;
import io.tidewire.client.ProtocolCodes.CloseCode;
import io.tidewire.client.ProtocolCodes.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolCodesTest {

  @Test
  void closeCodesOfTheGatewayKeepTheGatewaysAdvice() {
    assertThat(ProtocolCodes.adviceForClose(1000)).isEqualTo(Advice.TERMINAL);
    assertThat(ProtocolCodes.adviceForClose(1001)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForClose(1009)).isEqualTo(Advice.TERMINAL);
    assertThat(ProtocolCodes.adviceForClose(1011)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForClose(4001)).isEqualTo(Advice.RENEW_TOKEN);
    assertThat(ProtocolCodes.adviceForClose(4002)).isEqualTo(Advice.RENEW_TOKEN);
    assertThat(ProtocolCodes.adviceForClose(4008)).isEqualTo(Advice.RETRY);
  }

  @Test
  void aDroppedConnectionIsRetried() {
    assertThat(ProtocolCodes.adviceForClose(CloseCode.ABNORMAL.code())).isEqualTo(Advice.RETRY);
  }

  @ParameterizedTest
  @ValueSource(ints = {1002, 1003, 1007, 1008, 1010})
  void protocolAndPolicyViolationsAreTerminal(final int code) {
    assertThat(ProtocolCodes.adviceForClose(code)).isEqualTo(Advice.TERMINAL);
  }

  @ParameterizedTest
  @ValueSource(ints = {1005, 1012, 1013, 1014, 4000, 4999})
  void unlistedCodesAreRetried(final int code) {
    assertThat(ProtocolCodes.adviceForClose(code)).isEqualTo(Advice.RETRY);
  }

  @Test
  void httpStatusAtTheUpgradeDecidesBetweenRenewRetryAndStop() {
    assertThat(ProtocolCodes.adviceForHttpStatus(401)).isEqualTo(Advice.RENEW_TOKEN);
    assertThat(ProtocolCodes.adviceForHttpStatus(408)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForHttpStatus(429)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForHttpStatus(502)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForHttpStatus(503)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForHttpStatus(200)).isEqualTo(Advice.RETRY);
    assertThat(ProtocolCodes.adviceForHttpStatus(403)).isEqualTo(Advice.TERMINAL);
    assertThat(ProtocolCodes.adviceForHttpStatus(404)).isEqualTo(Advice.TERMINAL);
  }

  @Test
  void errorCodesReadFromTheWireWithUnknownOnesRetryable() {
    assertThat(ErrorCode.fromWire("bad_request")).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(ErrorCode.fromWire("slow_consumer").advice()).isEqualTo(Advice.RETRY);
    assertThat(ErrorCode.fromWire("token_expired").advice()).isEqualTo(Advice.RENEW_TOKEN);
    assertThat(ErrorCode.fromWire("forbidden").advice()).isEqualTo(Advice.TERMINAL);
    assertThat(ErrorCode.fromWire("something_new")).isEqualTo(ErrorCode.UNKNOWN);
    assertThat(ErrorCode.fromWire("unknown")).isEqualTo(ErrorCode.UNKNOWN);
  }
}
