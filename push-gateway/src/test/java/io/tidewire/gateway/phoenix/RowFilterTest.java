package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RowFilterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode row(final String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void comparesNumbersNumerically() throws Exception {
    final JsonNode row = row("{\"progress\":50}");
    assertThat(RowFilter.parse("progress=eq.50").matches(row)).isTrue();
    assertThat(RowFilter.parse("progress=eq.50.0").matches(row)).isTrue();
    assertThat(RowFilter.parse("progress=neq.50").matches(row)).isFalse();
    assertThat(RowFilter.parse("progress=lt.9").matches(row)).isFalse(); // not "50" < "9" as text
    assertThat(RowFilter.parse("progress=lte.50").matches(row)).isTrue();
    assertThat(RowFilter.parse("progress=gt.49").matches(row)).isTrue();
    assertThat(RowFilter.parse("progress=gte.51").matches(row)).isFalse();
    assertThat(RowFilter.parse("progress=eq.fifty").matches(row)).isFalse();
  }

  @Test
  void comparesTextAndBooleans() throws Exception {
    final JsonNode row = row("{\"status\":\"active\",\"is_public\":true,\"at\":\"2026-12-05T08:00:00Z\"}");
    assertThat(RowFilter.parse("status=eq.active").matches(row)).isTrue();
    assertThat(RowFilter.parse("status=in.(waiting,active)").matches(row)).isTrue();
    assertThat(RowFilter.parse("status=in.(\"waiting\",\"failed\")").matches(row)).isFalse();
    assertThat(RowFilter.parse("is_public=eq.true").matches(row)).isTrue();
    assertThat(RowFilter.parse("is_public=neq.true").matches(row)).isFalse();
    assertThat(RowFilter.parse("at=gt.2026-12-05T07:00:00Z").matches(row)).isTrue();
  }

  @Test
  void commasMeanAndOutsideInLists() throws Exception {
    final RowFilter filter = RowFilter.parse("status=in.(active,completed),progress=gte.50");
    assertThat(filter.matches(row("{\"status\":\"active\",\"progress\":60}"))).isTrue();
    assertThat(filter.matches(row("{\"status\":\"active\",\"progress\":40}"))).isFalse();
    assertThat(filter.matches(row("{\"status\":\"failed\",\"progress\":60}"))).isFalse();
  }

  @Test
  void nullOrMissingColumnsMatchNothingAsInSql() throws Exception {
    assertThat(RowFilter.parse("error=neq.x").matches(row("{\"error\":null}"))).isFalse();
    assertThat(RowFilter.parse("error=eq.x").matches(row("{}"))).isFalse();
    assertThat(RowFilter.none().matches(row("{}"))).isTrue();
  }

  @Test
  void refusesWhatIsNotAFilter() {
    assertThatThrownBy(() -> RowFilter.parse("progress=like.5")).hasMessageContaining("column=op.value");
    assertThatThrownBy(() -> RowFilter.parse("progress")).hasMessageContaining("column=op.value");
    assertThatThrownBy(() -> RowFilter.parse("status=in.active")).hasMessageContaining("in takes a list");
    assertThatThrownBy(() -> RowFilter.parse("a=eq.1,".repeat(17))).isInstanceOf(IllegalArgumentException.class);
  }
}
