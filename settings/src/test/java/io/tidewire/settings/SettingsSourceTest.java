package io.tidewire.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsSourceTest {

  @Test
  void environmentWinsOverTheFile(@TempDir final Path dir) throws Exception {
    final Path file = dir.resolve("tidewire.env");
    Files.writeString(file, "# a deployment's settings\nTIDEWIRE_A=from-file \nTIDEWIRE_B=from-file\n");

    final Map<String, String> merged = SettingsSource.load(Optional.of(file), Map.of("TIDEWIRE_B", "from-env"));

    assertThat(merged).containsOnly(Map.entry("TIDEWIRE_A", "from-file"), Map.entry("TIDEWIRE_B", "from-env"));
  }

  @Test
  void withoutAFileTheEnvironmentIsAll() throws Exception {
    assertThat(SettingsSource.load(Optional.empty(), Map.of("TIDEWIRE_A", "1")))
        .containsOnly(Map.entry("TIDEWIRE_A", "1"));
  }
}
