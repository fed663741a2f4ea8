package io.tidewire.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.UserEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private final Serde<UserEvent> serde = Topics.USER_EVENTS.valueSerde();

  @Test
  void roundTripsAUserEventInSingleObjectEncoding() {
    final UserEvent event = UserEvent.newBuilder()
        .setId("e1").setUserId("u1").setType("generation.progress").setTs(42L)
        .setSource(SourcePosition.newBuilder().setTable("public.generation_jobs").setLsn(7L).build())
        .setData(GenerationProgress.newBuilder().setJobId("j1").setKind("image")
            .setStatus("active").setProgress(50).build())
        .build();

    final byte[] bytes = serde.serializer().serialize("t", event);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(event);
  }

  @Test
  void garbageIsASerializationException() {
    final byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("UserEvent");
  }

  @Test
  void nullStaysNull() {
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void cdcTopicsFollowTheCaptureNaming() {
    assertThat(Topics.cdcName("public", "generation_jobs")).isEqualTo("cdc.public.generation_jobs");
  }
}
