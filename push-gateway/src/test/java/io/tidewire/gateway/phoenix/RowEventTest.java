package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RowEventTest {

  private static String frame(final String op, final String row, final String old) {
    return "{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e1\",\"type\":\"row.generation_jobs\",\"cursor\":\"v3.c\","
        + "\"ts\":1764921600123,\"data\":{\"table\":\"public.generation_jobs\",\"op\":\"" + op + "\",\"row\":" + row
        + (old == null ? "" : ",\"old\":" + old) + "}}";
  }

  @Test
  void anUpdateBecomesSupabasesPayload() {
    final RowEvent event = RowEvent.of(frame("update", "{\"id\":\"j\",\"progress\":40,\"done\":false}",
        "{\"id\":\"j\",\"progress\":0,\"done\":false}")).orElseThrow();
    assertThat(event.cursor()).isEqualTo("v3.c");
    assertThat(event.schema()).contains("public");
    assertThat(event.table()).isEqualTo("generation_jobs");
    final ObjectNode data = event.data("public", 1 << 20);
    assertThat(data.toString()).isEqualTo("{\"schema\":\"public\",\"table\":\"generation_jobs\","
        + "\"commit_timestamp\":\"2025-12-05T08:00:00.123Z\",\"type\":\"UPDATE\",\"columns\":[{\"name\":\"id\","
        + "\"type\":\"text\"},{\"name\":\"progress\",\"type\":\"int8\"},{\"name\":\"done\",\"type\":\"bool\"}],"
        + "\"record\":{\"id\":\"j\",\"progress\":40,\"done\":false},\"old_record\":{\"id\":\"j\",\"progress\":0,"
        + "\"done\":false},\"errors\":null}");
  }

  @Test
  void insertsHaveNoOldRecordAndDeletesNoRecord() {
    final ObjectNode insert = RowEvent.of(frame("insert", "{\"id\":\"j\"}", null)).orElseThrow().data("public", 1000);
    assertThat(insert.has("record")).isTrue();
    assertThat(insert.has("old_record")).isFalse();
    final RowEvent delete = RowEvent.of(frame("delete", "{\"id\":\"j\"}", null)).orElseThrow();
    assertThat(delete.type()).isEqualTo("DELETE");
    assertThat(delete.data("public", 1000).has("record")).isFalse();
    assertThat(delete.data("public", 1000).get("old_record").toString()).isEqualTo("{\"id\":\"j\"}");
    assertThat(delete.filtered().toString()).isEqualTo("{\"id\":\"j\"}");
  }

  @Test
  void snapshotsAndTypedEventsAreNotRowChanges() {
    assertThat(RowEvent.of(frame("snapshot", "{\"id\":\"j\"}", null))).isEmpty();
    assertThat(RowEvent.of("{\"type\":\"generation.progress\",\"data\":{}}")).isEmpty();
    assertThat(RowEvent.of("not json")).isEmpty();
  }

  @Test
  void anOversizedRowLosesItsLongValuesAndSays413() {
    final String longText = "x".repeat(200);
    final ObjectNode data = RowEvent.of(frame("insert", "{\"id\":\"j\",\"prompt\":\"" + longText + "\"}", null))
        .orElseThrow().data("public", 100);
    assertThat(data.get("record").toString()).isEqualTo("{\"id\":\"j\"}");
    assertThat(data.get("errors").get(0).asText()).isEqualTo("Error 413: Payload Too Large");
  }
}
