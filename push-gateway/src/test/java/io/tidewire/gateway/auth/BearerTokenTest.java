package io.tidewire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerTokenTest {

  @Test
  void prefersQueryParameterOverHeader() {
    assertThat(BearerToken.find(Map.of("token", List.of("q")), Map.of("Authorization", List.of("Bearer h"))))
        .contains("q");
  }

  @Test
  void readsBearerHeaderCaseInsensitively() {
    assertThat(BearerToken.find(Map.of(), Map.of("authorization", List.of("bearer abc.def.ghi"))))
        .contains("abc.def.ghi");
    assertThat(BearerToken.fromAuthorization("BEARER  x ")).contains("x");
  }

  @Test
  void ignoresOtherSchemesAndEmptyValues() {
    assertThat(BearerToken.fromAuthorization("Basic dXNlcjpwYXNz")).isEmpty();
    assertThat(BearerToken.fromAuthorization("Bearer ")).isEmpty();
    assertThat(BearerToken.fromAuthorization(null)).isEmpty();
    assertThat(BearerToken.find(Map.of("token", List.of(" ")), Map.of())).isEmpty();
  }

  @Test
  void readsTokenFromRawQueryString() {
    assertThat(BearerToken.fromQueryString("a=1&token=abc%2Edef&b")).contains("abc.def");
    assertThat(BearerToken.fromQueryString("tokenx=1&token=")).isEmpty();
    assertThat(BearerToken.fromQueryString("token=%zz")).isEmpty();
    assertThat(BearerToken.fromQueryString(null)).isEmpty();
  }
}
