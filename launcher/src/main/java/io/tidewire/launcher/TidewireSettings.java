package io.tidewire.launcher;

import io.tidewire.capture.CaptureSettings;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.processor.ProcessorSettings;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Parsers;
import io.tidewire.settings.Setting;
import io.tidewire.settings.SettingGroup;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The variables the launcher and {@code bin/tidewire} read, and {@link #ALL}: every variable any
 * part reads. One environment (or {@code --config} file) may hold the settings of every part, so
 * the launcher gives {@link #ALL} to whichever part it starts; a variable is unknown only if no
 * part reads it.
 */
public final class TidewireSettings {

  public static final Setting<Optional<Integer>> OPS_PORT = Setting.of("TIDEWIRE_OPS_PORT",
      Parsers.ints(1, 65_535).map(Optional::of)).byDefault(Optional.empty(), "`9401` capture, `9402` process")
      .doc("port of `/health`, `/ready`, `/metrics` of capture and process (or `--ops-port`)");
  public static final Setting<String> OPS_HOST = Setting.of("TIDEWIRE_OPS_HOST", Parsers.text())
      .byDefault("127.0.0.1").doc("interface of the ops listener of capture and process (`0.0.0.0` for all)");
  public static final Setting<String> LOG_LEVEL = Setting.of("TIDEWIRE_LOG_LEVEL",
      Parsers.matching(Pattern.compile("(?i)OFF|FATAL|ERROR|WARN|INFO|DEBUG|TRACE|ALL"),
          "a log level (ERROR, WARN, INFO, DEBUG, TRACE)"))
      .byDefault("INFO").doc("log level of Tidewire's own loggers (read by Log4j)");
  public static final Setting<String> JAVA_OPTS = Setting.of("TIDEWIRE_JAVA_OPTS", Parsers.text())
      .byDefault("-Xmx2g", "`-Xmx2g` (bench: `-Xmx4g -XX:+UseParallelGC`)")
      .doc("JVM options used by `bin/tidewire`");
  public static final Setting<Boolean> EXIT_WITH_PARENT = Setting.of("TIDEWIRE_EXIT_WITH_PARENT", Parsers.bools())
      .byDefault("false").doc("exit when the parent process does (set by the launcher for the parts it starts "
          + "as child processes)");
  public static final Setting<Boolean> METRICS_KAFKA_DETAIL = Setting.of("TIDEWIRE_METRICS_KAFKA_DETAIL",
      Parsers.bools()).byDefault("false").doc("keep Kafka's per-node, per-topic, per-partition and per-task series "
          + "in `/metrics` (by default only client- and thread-level Kafka meters are exported)");

  /** The launcher's own variables. */
  public static final SettingGroup LAUNCHER = SettingGroup.of(
      List.of(OPS_PORT, OPS_HOST, LOG_LEVEL, JAVA_OPTS, EXIT_WITH_PARENT, METRICS_KAFKA_DETAIL), List.of());

  /** Every variable of every part and of the launcher. */
  public static final SettingGroup ALL = SettingGroup.union(KafkaSettings.SETTINGS, CaptureSettings.SETTINGS,
      ProcessorSettings.SETTINGS, GatewaySettings.SETTINGS, LAUNCHER);

  private TidewireSettings() {}
}
