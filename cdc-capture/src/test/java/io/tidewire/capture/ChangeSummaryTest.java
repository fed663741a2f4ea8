package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ChangeSummaryTest {

  @Test
  void readsOpSnapshotAndCommitTimeOfAStreamedChange() {
    final ChangeSummary s = ChangeSummary.of("{\"before\":{\"id\":\"a\",\"nested\":{\"op\":\"x\"}},\"after\":{\"id\":\"a\"},"
        + "\"source\":{\"version\":\"3.6.1.Final\",\"ts_ms\":1700000000123,\"ts_us\":1700000000123456,"
        + "\"snapshot\":\"false\",\"lsn\":24023128,\"xmin\":null},\"op\":\"u\",\"ts_ms\":1700000000150}");

    assertThat(s.op()).contains("u");
    assertThat(s.snapshot()).isFalse();
    assertThat(s.sourceTsMicros()).hasValue(1_700_000_000_123_456L);
  }

  @Test
  void fallsBackToMillisecondsAndRecognisesSnapshotReads() {
    final ChangeSummary s = ChangeSummary.of(
        "{\"before\":null,\"after\":{},\"source\":{\"ts_ms\":1700000000123,\"snapshot\":\"last\"},\"op\":\"r\"}");

    assertThat(s.op()).contains("r");
    assertThat(s.snapshot()).isTrue();
    assertThat(s.sourceTsMicros()).hasValue(1_700_000_000_123_000L);
  }

  @Test
  void heartbeatsAndGarbageHaveNoOp() {
    assertThat(ChangeSummary.of("{\"ts_ms\":1700000000123}").op()).isEmpty();
    assertThat(ChangeSummary.of("not json").op()).isEmpty();
    assertThat(ChangeSummary.of("[1,2]").sourceTsMicros()).isEqualTo(OptionalLong.empty());
  }

  @Test
  void aRowValueThatLooksLikeTheEnvelopeDoesNotFoolIt() {
    // a text column holding envelope-like JSON: inside the row its quotes are escaped
    final String row = "{\"id\":\"a\",\"body\":\"{\\\"source\\\":{\\\"ts_us\\\":1},\\\"op\\\":\\\"d\\\"}\"}";
    final ChangeSummary s = ChangeSummary.of("{\"before\":" + row + ",\"after\":" + row
        + ",\"source\":{\"ts_us\":1700000000123456,\"snapshot\":\"false\"},\"op\":\"u\"}");

    assertThat(s.op()).contains("u");
    assertThat(s.sourceTsMicros()).hasValue(1_700_000_000_123_456L);
  }

  @Test
  void anEnvelopeWithTheOpBeforeTheSourceIsStillRead() {
    final ChangeSummary s = ChangeSummary.of(
        "{\"op\":\"c\",\"after\":{},\"source\":{\"ts_ms\":1700000000123,\"snapshot\":\"false\"}}");

    assertThat(s.op()).contains("c");
    assertThat(s.sourceTsMicros()).hasValue(1_700_000_000_123_000L);
  }
}
