package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Events;
import io.tidewire.protocol.ProtocolCodes;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.schemas.avro.ActiveJob;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Cursor CURSOR = Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("u-1"), 1, 10);
  private static final Cursor FEED = Cursor.of(Uuid.randomUuid(), Cursor.FEED_SCOPE,
      Map.of(0, 1L, 1, 2L, 2, 3L));

  @Test
  void encodesReplies() throws Exception {
    assertThat(JSON.readTree(FrameEncoder.pong("3"))).isEqualTo(JSON.readTree("{\"op\":\"pong\",\"ref\":\"3\"}"));
    assertThat(JSON.readTree(FrameEncoder.unsubscribed("2", "feed")))
        .isEqualTo(JSON.readTree("{\"op\":\"unsubscribed\",\"ref\":\"2\",\"channel\":\"feed\"}"));
    assertThat(JSON.readTree(FrameEncoder.subscribed("1", "user", false, TestKit.CURSORS.encode(CURSOR))))
        .isEqualTo(JSON.readTree("{\"op\":\"subscribed\",\"ref\":\"1\",\"channel\":\"user\",\"recovered\":false,"
            + "\"cursor\":\"" + TestKit.CURSORS.encode(CURSOR) + "\"}"));
    assertThat(TestKit.CURSORS.decode(JSON.readTree(FrameEncoder.subscribed("1", "feed", true, TestKit.CURSORS.encode(FEED)))
        .get("cursor").textValue())).isEqualTo(FEED);
    assertThat(JSON.readTree(FrameEncoder.authenticated("4", Instant.ofEpochSecond(99))))
        .isEqualTo(JSON.readTree("{\"op\":\"authenticated\",\"ref\":\"4\",\"exp\":99}"));
  }

  @Test
  void encodesErrorsWithAndWithoutRef() throws Exception {
    assertThat(JSON.readTree(FrameEncoder.error(new ProtocolError(Optional.of("7"), ErrorCode.FORBIDDEN, "no"))))
        .isEqualTo(JSON.readTree("{\"op\":\"error\",\"ref\":\"7\",\"code\":\"forbidden\",\"message\":\"no\"}"));
    assertThat(JSON.readTree(FrameEncoder.error(ProtocolError.badRequest(Optional.empty(), "x"))))
        .isEqualTo(JSON.readTree("{\"op\":\"error\",\"code\":\"bad_request\",\"message\":\"x\"}"));
  }

  @Test
  void escapesHostileStrings() throws Exception {
    final String nasty = "\"}\n\u0000<script>\\";

    assertThat(JSON.readTree(FrameEncoder.pong(nasty)).get("ref").textValue()).isEqualTo(nasty);
  }

  @Test
  void encodesEventWithCursorAndData() throws Exception {
    final UserEvent event = Events.progress("u-1", "e-1", 55);

    final JsonNode frame = JSON.readTree(FrameEncoder.event("user", event.getId(), event.getType(), TestKit.CURSORS.encode(CURSOR),
        event.getTs(), (GenericContainer) event.getData()));

    assertThat(frame.get("op").textValue()).isEqualTo("event");
    assertThat(frame.get("channel").textValue()).isEqualTo("user");
    assertThat(frame.get("id").textValue()).isEqualTo("e-1");
    assertThat(frame.get("type").textValue()).isEqualTo("generation.progress");
    assertThat(TestKit.CURSORS.decode(frame.get("cursor").textValue())).isEqualTo(CURSOR);
    assertThat(frame.get("ts").longValue()).isEqualTo(1_700_000_000_000L);
    assertThat(frame.get("data").get("progress").intValue()).isEqualTo(55);
  }

  @Test
  void encodesSnapshotWithItsCursorAndState() throws Exception {
    final UserState state = UserState.newBuilder().setUserId("u-1").setBalance(120L).setUpdatedAt(5L)
        .setActiveJobs(List.of(ActiveJob.newBuilder().setJobId("j-1").setKind("generation")
            .setGenerationKind("video").setStatus("active").setProgress(40).setStep(null)
            .setTotalSteps(null).setUpdatedAt(4L).build()))
        .build();

    final JsonNode frame = JSON.readTree(FrameEncoder.snapshot("user", TestKit.CURSORS.encode(CURSOR), state));

    assertThat(frame).isEqualTo(JSON.readTree("{\"op\":\"snapshot\",\"channel\":\"user\",\"cursor\":\""
        + TestKit.CURSORS.encode(CURSOR) + "\",\"data\":{\"userId\":\"u-1\",\"balance\":120,\"activeJobs\":[{"
        + "\"jobId\":\"j-1\",\"kind\":\"generation\",\"generationKind\":\"video\",\"status\":\"active\","
        + "\"progress\":40,\"updatedAt\":4}],\"updatedAt\":5}}"));
  }

  @Test
  void everyCodeIsListedWithAdvice() {
    for (final ErrorCode code : ErrorCode.values()) {
      assertThat(code.wire()).matches("[a-z_]+");
      assertThat(code.advice()).isNotNull();
    }
    assertThat(ProtocolCodes.CloseCode.TOKEN_EXPIRED.code()).isEqualTo(4001);
    assertThat(ProtocolCodes.CloseCode.SLOW_CONSUMER.reconnect()).isTrue();
    assertThat(ProtocolCodes.CloseCode.MESSAGE_TOO_BIG.reconnect()).isFalse();
  }
}
