package io.tidewire.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsDocTest {

  private static final SettingGroup GROUP = SettingGroup.of(List.of(
      Setting.of("TIDEWIRE_X_MODE", Parsers.text()).byDefault("a").doc("`a` \\| `b`, or c|d"),
      Setting.of("TIDEWIRE_X_REQUIRED", Parsers.text()).doc("must be set")),
      List.of(new PassThrough("TIDEWIRE_X_LIB_", "library settings")));

  @Test
  void tableHasOneRowPerSettingThenOnePerFamily() {
    assertThat(SettingsDoc.table(GROUP)).isEqualTo("""
        | variable | default | meaning |
        |---|---|---|
        | `TIDEWIRE_X_MODE` | `a` | `a` \\| `b`, or c\\|d |
        | `TIDEWIRE_X_REQUIRED` | — (required) | must be set |
        | `TIDEWIRE_X_LIB_<KEY>` |  | library settings |
        """);
  }

  @Test
  void sectionIsComparedOrRegenerated(@TempDir final Path dir) throws Exception {
    final Path readme = dir.resolve("README.md");
    Files.writeString(readme, "# x\n<!-- settings:x -->\nold\n<!-- /settings:x -->\nafter\n");

    assertThat(SettingsDoc.current(readme, "x", "new\n")).isEqualTo("old\n");
    System.setProperty(SettingsDoc.REGENERATE, "true");
    try {
      assertThat(SettingsDoc.current(readme, "x", "new\n")).isEqualTo("new\n");
    } finally {
      System.clearProperty(SettingsDoc.REGENERATE);
    }
    assertThat(Files.readString(readme)).isEqualTo("# x\n<!-- settings:x -->\nnew\n<!-- /settings:x -->\nafter\n");
    assertThatThrownBy(() -> SettingsDoc.current(readme, "y", "")).isInstanceOf(IllegalStateException.class);
  }
}
