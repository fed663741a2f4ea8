package io.tidewire.launcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartsTableTest {

  private static final List<PartInfo> PARTS = List.of(
      new PartInfo("broker-1", "broker", OptionalLong.of(4242), ordered("kafka", 19092, "controller", 40001, "ops", 40002)),
      new PartInfo("gateway-2", "gateway", OptionalLong.empty(), ordered("ws", 8081, "ops", 40003)));

  @TempDir
  Path dir;

  @Test
  void jsonHasNameRolePidAndPortsOfEveryPartWithNullPidForAPartThatIsDown() throws Exception {
    final Path file = dir.resolve("sub").resolve("parts.json");
    PartsTable.write(file, PARTS);
    final JsonNode json = new ObjectMapper().readTree(Files.readString(file));

    assertThat(json).hasSize(2);
    assertThat(json.get(0).path("name").asText()).isEqualTo("broker-1");
    assertThat(json.get(0).path("role").asText()).isEqualTo("broker");
    assertThat(json.get(0).path("pid").asLong()).isEqualTo(4242);
    assertThat(json.get(0).path("ports").path("kafka").asInt()).isEqualTo(19092);
    assertThat(json.get(0).path("ports").path("controller").asInt()).isEqualTo(40001);
    assertThat(json.get(1).path("pid").isNull()).isTrue();
    assertThat(json.get(1).path("ports").path("ws").asInt()).isEqualTo(8081);
  }

  @Test
  void textShowsOneAlignedRowPerPartWithADashForAPartThatIsDown() {
    final List<String> lines = PartsTable.text(PARTS).lines().toList();

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split("\\s+")).containsSubsequence("NAME", "ROLE", "PID", "PORTS");
    assertThat(lines.get(1)).contains("broker-1", "broker", "4242", "kafka=19092 controller=40001 ops=40002");
    assertThat(lines.get(2)).contains("gateway-2", " - ", "ws=8081 ops=40003");
    assertThat(lines.get(1).indexOf("4242")).isEqualTo(lines.get(0).indexOf("PID"));
  }

  private static Map<String, Integer> ordered(final Object... pairs) {
    final Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return m;
  }
}
