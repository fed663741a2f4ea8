package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.gateway.testing.Events;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.Notification;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void unionDataIsWrittenAsTheBranchRecordsFieldsWithNullsOmitted() throws Exception {
    final UserEvent event = Events.progress("u-1", "e-1", 40);

    final JsonNode json = write(event, event.getSchema());

    assertThat(json.get("data")).isEqualTo(JSON.readTree(
        "{\"jobId\":\"job-e-1\",\"kind\":\"image\",\"status\":\"active\",\"progress\":40}"));
    assertThat(json.get("source")).isEqualTo(JSON.readTree(
        "{\"table\":\"public.generation_jobs\",\"lsn\":100,\"txId\":7,\"snapshot\":false}"));
    assertThat(json.get("ts").isLong() || json.get("ts").isInt()).isTrue();
  }

  @Test
  void nullableFieldWithValueIsWrittenPlainly() throws Exception {
    final CreditsUpdated credits = CreditsUpdated.newBuilder().setBalance(90).setDelta(-10)
        .setTransactionId("tx-1").setReason(null).build();

    assertThat(write(credits, credits.getSchema()))
        .isEqualTo(JSON.readTree("{\"balance\":90,\"delta\":-10,\"transactionId\":\"tx-1\"}"));
  }

  @Test
  void jsonStringFieldIsEmbeddedAsJson() throws Exception {
    final RowChange change = RowChange.newBuilder().setTable("images").setOp("update")
        .setRow("{\"id\":\"i-1\",\"is_public\":true,\"likes\":3,\"caption\":null}").build();

    assertThat(write(change, change.getSchema())).isEqualTo(JSON.readTree(
        "{\"table\":\"images\",\"op\":\"update\",\"row\":{\"id\":\"i-1\",\"is_public\":true,\"likes\":3,\"caption\":null}}"));
  }

  @Test
  void jsonStringFieldThatIsNotJsonStaysAString() throws Exception {
    final RowChange change = RowChange.newBuilder().setTable("t").setOp("insert").setRow("{broken").build();

    assertThat(write(change, change.getSchema()).get("row").textValue()).isEqualTo("{broken");
  }

  @Test
  void mapsAreObjects() throws Exception {
    final Notification n = Notification.newBuilder().setId("n-1").setKind("like").setTitle("t")
        .setBody("b").setRefs(Map.of("contentId", "c-1")).build();

    assertThat(write(n, n.getSchema()).get("refs")).isEqualTo(JSON.readTree("{\"contentId\":\"c-1\"}"));
  }

  @Test
  void genericRecordsArraysEnumsBytesAndNestedUnionsWork() throws Exception {
    final Schema color = SchemaBuilder.enumeration("Color").symbols("RED", "BLUE");
    final Schema schema = SchemaBuilder.record("Thing").fields()
        .name("tags").type().array().items().stringType().noDefault()
        .name("color").type(color).noDefault()
        .name("blob").type().bytesType().noDefault()
        .name("maybe").type().unionOf().nullType().and().longType().endUnion().nullDefault()
        .name("ratio").type().doubleType().noDefault()
        .endRecord();
    final GenericRecord thing = new GenericData.Record(schema);
    thing.put("tags", List.of("a", "b"));
    thing.put("color", new GenericData.EnumSymbol(color, "BLUE"));
    thing.put("blob", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    thing.put("maybe", 5L);
    thing.put("ratio", 0.5);

    assertThat(write(thing, schema)).isEqualTo(JSON.readTree(
        "{\"tags\":[\"a\",\"b\"],\"color\":\"BLUE\",\"blob\":\"AQID\",\"maybe\":5,\"ratio\":0.5}"));
  }

  @Test
  void jsonPropertyOnTheStringSchemaAlsoEmbeds() throws Exception {
    final Schema jsonString = new Schema.Parser().parse("{\"type\":\"string\",\"json\":true}");
    final Schema schema = SchemaBuilder.record("Doc").fields()
        .name("body").type(jsonString).noDefault().endRecord();
    final GenericRecord doc = new GenericData.Record(schema);
    doc.put("body", "[1,2]");

    assertThat(write(doc, schema)).isEqualTo(JSON.readTree("{\"body\":[1,2]}"));
  }

  private static JsonNode write(final Object datum, final Schema schema) throws Exception {
    final StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      AvroJson.write(g, datum, schema);
    }
    return JSON.readTree(out.toString());
  }
}
