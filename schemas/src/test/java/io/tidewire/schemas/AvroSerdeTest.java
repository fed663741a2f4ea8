package io.tidewire.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
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
  void readsARecordWrittenWithAnOlderSchemaOfTheStore() throws IOException {
    // an older UserState, before activeJobs existed
    final Schema older = new Schema.Parser().parse("""
        {"type":"record","name":"UserState","namespace":"io.tidewire.schemas.avro","fields":[
          {"name":"userId","type":"string"},
          {"name":"balance","type":["null","long"],"default":null},
          {"name":"updatedAt","type":"long"}]}""");
    final GenericRecord old = new GenericRecordBuilder(older)
        .set("userId", "u1").set("balance", 42L).set("updatedAt", 7L).build();
    final byte[] bytes = singleObject(older, old);

    final UserState read = AvroSerde.of(UserState.class, List.of(older)).deserializer()
        .deserialize("t", bytes);

    assertThat(read.getUserId()).isEqualTo("u1");
    assertThat(read.getBalance()).isEqualTo(42L);
    assertThat(read.getActiveJobs()).isEmpty();
    assertThat(read.getUpdatedAt()).isEqualTo(7L);
    // without that schema in its store a reader cannot even tell what the record is
    assertThatThrownBy(() -> AvroSerde.of(UserState.class, List.of()).deserializer()
        .deserialize("t", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("UserState");
  }

  @Test
  void readsRecordsWrittenWithEveryReleasedSchema() throws IOException {
    for (final String version : ReleasedSchemas.VERSIONS) {
      final Schema released = ReleasedSchemas.in(version, "UserState").orElseThrow();
      final GenericRecord state = new GenericRecordBuilder(released)
          .set("userId", "u-" + version).set("updatedAt", 1L).build();

      final UserState read = Topics.USER_STATE.valueSerde().deserializer()
          .deserialize("t", singleObject(released, state));

      assertThat(read.getUserId()).isEqualTo("u-" + version);
    }
  }

  @Test
  void theHeaderIsTheMagicThenTheLittleEndianFingerprint() {
    final UserState state = UserState.newBuilder().setUserId("u").setUpdatedAt(1L).build();

    final byte[] bytes = Topics.USER_STATE.valueSerde().serializer().serialize("t", state);

    assertThat(Arrays.copyOfRange(bytes, 0, 2)).containsExactly(0xC3, 0x01);
    assertThat(Arrays.copyOfRange(bytes, 2, 10))
        .containsExactly(ReleasedSchemas.fingerprint(UserState.getClassSchema()));
  }

  private static byte[] singleObject(final Schema schema, final GenericRecord record)
      throws IOException {
    final ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
        .encode(record);
    final byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
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
