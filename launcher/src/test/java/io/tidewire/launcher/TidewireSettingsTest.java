package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.capture.CaptureConfig;
import io.tidewire.capture.CaptureConfigException;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.processor.ProcessorConfig;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.SettingsDoc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TidewireSettingsTest {

  private static final Path ROOT = Path.of("..");
  private static final List<Path> READMES = List.of(ROOT.resolve("README.md"),
      ROOT.resolve("cdc-capture/README.md"), ROOT.resolve("stream-processor/README.md"),
      ROOT.resolve("push-gateway/README.md"));
  private static final Pattern VARIABLE = Pattern.compile("TIDEWIRE_[A-Z0-9_]+");

  /** One environment holding every part's settings, as the demo and a --config file do. */
  private static Map<String, String> everyPartsEnv() {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "k:9092");
    env.put("TIDEWIRE_KAFKA_SECURITY_PROTOCOL", "SSL");
    env.put("TIDEWIRE_PG_HOST", "db");
    env.put("TIDEWIRE_CAPTURE_SLOT", "s1");
    env.put("TIDEWIRE_DEBEZIUM_MAX_BATCH_SIZE", "4096");
    env.put("TIDEWIRE_PROCESSOR_THREADS", "2");
    env.put("TIDEWIRE_KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1");
    env.put("TIDEWIRE_JWT_SECRET", "0123456789abcdef0123456789abcdef");
    env.put("TIDEWIRE_GATEWAY_PORT", "0");
    env.put("TIDEWIRE_OPS_PORT", "9999");
    env.put("TIDEWIRE_LOG_LEVEL", "WARN");
    return env;
  }

  @Test
  void everyPartReadsAnEnvironmentHoldingEveryPartsSettings() {
    final Map<String, String> env = everyPartsEnv();

    assertThat(CaptureConfig.fromEnv(env, TidewireSettings.ALL).slotName()).isEqualTo("s1");
    assertThat(ProcessorConfig.fromEnv(env, TidewireSettings.ALL).streamThreads()).isEqualTo(2);
    assertThat(GatewayConfig.fromEnv(env, TidewireSettings.ALL).port()).isZero();
    // the shared Kafka settings, and not the Streams family nested under their prefix
    assertThat(CaptureConfig.fromEnv(env, TidewireSettings.ALL).kafka().clientOverrides())
        .containsOnly(Map.entry("security.protocol", "SSL"));
  }

  @Test
  void aVariableNoPartReadsIsRejectedByEachPart() {
    final Map<String, String> env = everyPartsEnv();
    env.put("TIDEWIRE_PROCESSOR_TREADS", "2");

    assertThatThrownBy(() -> CaptureConfig.fromEnv(env, TidewireSettings.ALL))
        .isInstanceOf(CaptureConfigException.class)
        .hasMessageContaining("unknown variable TIDEWIRE_PROCESSOR_TREADS (did you mean TIDEWIRE_PROCESSOR_THREADS?)");
  }

  @Test
  void rootReadmeTablesAreTheSharedAndLauncherSettings() {
    final String shared = SettingsDoc.table(KafkaSettings.SETTINGS);
    final String launcher = SettingsDoc.table(TidewireSettings.LAUNCHER);

    assertThat(SettingsDoc.current(ROOT.resolve("README.md"), "shared", shared)).isEqualTo(shared);
    assertThat(SettingsDoc.current(ROOT.resolve("README.md"), "launcher", launcher)).isEqualTo(launcher);
  }

  @Test
  void everyVariableTheReadmesNameExistsAndEverySettingIsDocumented() throws IOException {
    final Set<String> named = new TreeSet<>();
    for (final Path readme : READMES) {
      final Matcher m = VARIABLE.matcher(Files.readString(readme));
      while (m.find()) {
        named.add(m.group());
      }
    }

    assertThat(named).allSatisfy(name -> assertThat(TidewireSettings.ALL.names().contains(name)
        || TidewireSettings.ALL.familyOf(name).isPresent()).as(name + " is a setting or a pass-through").isTrue());
    assertThat(named).containsAll(TidewireSettings.ALL.names());
    assertThat(named).containsAll(TidewireSettings.ALL.prefixes());
  }
}
