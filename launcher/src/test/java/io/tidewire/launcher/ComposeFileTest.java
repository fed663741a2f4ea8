package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tidewire.capture.CaptureConfig;
import io.tidewire.capture.CaptureSettings;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.processor.ProcessorConfig;
import io.tidewire.processor.ProcessorSettings;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.SettingGroup;
import io.tidewire.settings.SettingsReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml: each Tidewire service's {@code TIDEWIRE_*} environment passes its own
 * part's settings validation (a variable the part does not read fails, as a typo would at start),
 * the deployment has the parts the issue asks for, Prometheus scrapes every part, and Debian's
 * {@code docker-compose} (v1, no Docker engine needed) accepts the file — skipped where it is
 * not installed ({@code .ci/run} installs it).
 */
class ComposeFileTest {

  private static final Path DOCKER = Path.of("..", "docker");
  private static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  /** Stands for the operator's docker/.env. */
  private static final Map<String, String> DOT_ENV =
      Map.of("TIDEWIRE_JWT_SECRET", "compose-test-secret-0123456789abcdef0123456789");
  private static final Pattern VARIABLE = Pattern.compile(
      "\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

  /** A Tidewire service of the compose file: its part ({@code capture}, …) and environment. */
  private record Service(String name, String part, Map<String, String> env, Map<String, Object> spec) {}

  @Test
  void everyServicesEnvironmentPassesItsPartsSettingsValidation() throws IOException {
    final List<String> problems = new ArrayList<>();
    for (final Service service : services(DOT_ENV)) {
      problems.addAll(problemsOf(service).stream().map(p -> service.name() + ": " + p).toList());
    }

    assertThat(problems).isEmpty();
  }

  @Test
  void aVariableThePartDoesNotReadIsAProblem() throws IOException {
    final Service gateway = services(DOT_ENV).stream().filter(s -> s.part().equals("gateway")).findFirst()
        .orElseThrow();
    final Map<String, String> env = new HashMap<>(gateway.env());
    // a processor setting: known to the launcher, but no gateway reads it
    env.put(ProcessorSettings.THREADS.name(), "2");
    env.put("TIDEWIRE_GATEWAY_PROT", "8080");

    assertThat(problemsOf(new Service(gateway.name(), "gateway", env, gateway.spec())))
        .anySatisfy(p -> assertThat(p).contains("TIDEWIRE_PROCESSOR_THREADS"))
        .anySatisfy(p -> assertThat(p).contains("TIDEWIRE_GATEWAY_PROT")
            .contains("did you mean TIDEWIRE_GATEWAY_PORT"));
  }

  @Test
  void theDeploymentIsOneCaptureTwoProcessorsTwoGatewaysOnAReplicatedCluster() throws IOException {
    final List<Service> services = services(DOT_ENV);

    assertThat(services).map(Service::part).containsExactlyInAnyOrder(
        "capture", "process", "process", "gateway", "gateway");
    assertThat(services).allSatisfy(s -> {
      assertThat(s.env()).containsEntry(KafkaSettings.TOPIC_REPLICATION_FACTOR.name(), "3");
      assertThat(s.spec()).containsEntry("restart", "unless-stopped").containsKey("healthcheck");
    });
    // static membership needs one id per instance
    assertThat(services).filteredOn(s -> s.part().equals("process"))
        .map(s -> s.env().get("TIDEWIRE_KAFKA_STREAMS_MAIN_CONSUMER_GROUP_INSTANCE_ID")).doesNotHaveDuplicates()
        .doesNotContainNull();
    // the secret comes from docker/.env or the environment, never from the file itself
    assertThat(services).filteredOn(s -> s.part().equals("gateway"))
        .allSatisfy(s -> assertThat(raw(s.name()).get(GatewaySettings.JWT_SECRET.name()))
            .asString().startsWith("${" + GatewaySettings.JWT_SECRET.name() + ":?"));
    final Map<String, Object> kafkaEnv = environment(compose().get("services"), "kafka-1");
    assertThat(kafkaEnv).containsEntry("KAFKA_MIN_INSYNC_REPLICAS", 2)
        .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", 3);
  }

  @SuppressWarnings("unchecked")
  @Test
  void theBrokersRunTheReleaseOfTheKafkaClients() throws IOException {
    final Matcher version = Pattern.compile("<kafka.version>([^<]+)</kafka.version>")
        .matcher(Files.readString(Path.of("..", "pom.xml")));
    assertThat(version.find()).isTrue();
    final Map<String, Object> services = (Map<String, Object>) compose().get("services");

    assertThat(services.keySet()).filteredOn(name -> name.startsWith("kafka-")).hasSize(3)
        .allSatisfy(name -> assertThat(((Map<String, Object>) services.get(name)).get("image"))
            .isEqualTo("apache/kafka:" + version.group(1)));
  }

  @Test
  void prometheusScrapesTheOpsListenerOfEveryPartWhichListensOnAllInterfaces() throws IOException {
    final Set<String> expected = new TreeSet<>();
    for (final Service service : services(DOT_ENV)) {
      final boolean gateway = service.part().equals("gateway");
      final String host = service.env().getOrDefault(
          (gateway ? GatewaySettings.OPS_HOST : TidewireSettings.OPS_HOST).name(), "127.0.0.1");
      final String port = service.env().get(
          (gateway ? GatewaySettings.OPS_PORT : TidewireSettings.OPS_PORT).name());
      assertThat(host).as(service.name() + " ops listener reachable from Prometheus").isEqualTo("0.0.0.0");
      assertThat(service.spec().get("healthcheck").toString()).as(service.name() + " healthcheck")
          .contains("http://127.0.0.1:" + port + "/health");
      expected.add(service.name() + ":" + port);
    }
    final Set<String> targets = new TreeSet<>();
    final Matcher m = Pattern.compile("\"([a-z0-9-]+:\\d+)\"")
        .matcher(Files.readString(DOCKER.resolve("prometheus/prometheus.yml")));
    while (m.find()) {
      targets.add(m.group(1));
    }

    assertThat(targets).isEqualTo(expected);
  }

  @Test
  void dockerComposeAcceptsTheFileAndRefusesItWithoutAJwtSecret(@TempDir final Path dir) throws IOException, InterruptedException {
    final Optional<Path> tool = ExternalTool.find("docker-compose");
    assumeTrue(tool.isPresent(), "docker-compose not found (apt-get install docker-compose; CI installs it): "
        + "docker/compose.yaml not checked by docker-compose config");
    // an empty env file: an operator's docker/.env must not decide this test
    final Path noEnvFile = Files.writeString(dir.resolve("empty.env"), "");
    final List<String> config = List.of(tool.get().toString(), "--env-file", noEnvFile.toString(),
        "-f", COMPOSE.toString(), "config");

    final ExternalTool.Run withSecret = ExternalTool.run(config, env -> env.putAll(DOT_ENV));
    final ExternalTool.Run without = ExternalTool.run(config, env -> env.remove(GatewaySettings.JWT_SECRET.name()));

    assertThat(withSecret.exit()).as("docker-compose config:\n" + withSecret.output()).isZero();
    assertThat(without.exit()).isNotZero();
    assertThat(without.output()).contains("set TIDEWIRE_JWT_SECRET");
  }

  @Test
  void promtoolAcceptsTheComposeScrapeConfigWithTheDocumentedRules(@TempDir final Path dir)
      throws IOException, InterruptedException {
    final Optional<Path> promtool = ExternalTool.find("promtool");
    assumeTrue(promtool.isPresent(), "promtool not found (apt-get install prometheus; CI installs it): "
        + "docker/prometheus/prometheus.yml not checked");
    // laid out as compose mounts them: the rules of docs/prometheus next to the compose config
    Files.copy(DOCKER.resolve("prometheus/prometheus.yml"), dir.resolve("prometheus.yml"));
    Files.copy(Path.of("..", "docs", "prometheus", "alerts.yml"), dir.resolve("alerts.yml"));

    ExternalTool.check(List.of(promtool.get().toString(), "check", "config", dir.resolve("prometheus.yml").toString()));
  }

  /** Every problem the part (and the launcher, for its own variables) finds in the service's env. */
  private static List<String> problemsOf(final Service service) {
    final List<String> problems = new ArrayList<>();
    final SettingGroup partSettings = switch (service.part()) {
      case "capture" -> CaptureSettings.SETTINGS;
      case "process" -> ProcessorSettings.SETTINGS;
      case "gateway" -> GatewaySettings.SETTINGS;
      default -> throw new AssertionError(service.name() + " runs an unknown part: " + service.part());
    };
    // the part's own settings and the launcher's are all this service may set; anything else is
    // unknown, even if another part reads it
    try {
      switch (service.part()) {
        case "capture" -> CaptureConfig.fromEnv(service.env(), TidewireSettings.LAUNCHER);
        case "process" -> ProcessorConfig.fromEnv(service.env(), TidewireSettings.LAUNCHER);
        default -> GatewayConfig.fromEnv(service.env(), TidewireSettings.LAUNCHER);
      }
    } catch (RuntimeException e) {
      problems.add(e.getMessage());
    }
    final SettingsReader launcher = SettingsReader.of(service.env(), TidewireSettings.LAUNCHER.and(partSettings));
    TidewireSettings.LAUNCHER.settings().forEach(launcher::get);
    try {
      launcher.throwIfInvalid(lines -> new IllegalArgumentException(String.join("; ", lines)));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    if (service.part().equals("gateway")
        && DevTokens.DEMO_SECRET.equals(service.env().get(GatewaySettings.JWT_SECRET.name()))) {
      problems.add("the demo's published JWT secret");
    }
    return problems;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose() throws IOException {
    try (Reader in = Files.newBufferedReader(COMPOSE)) {
      return new Yaml().load(in);
    }
  }

  /** The services that run the tidewire image, their environment interpolated with {@code dotEnv}. */
  @SuppressWarnings("unchecked")
  private static List<Service> services(final Map<String, String> dotEnv) throws IOException {
    final Map<String, Object> services = (Map<String, Object>) compose().get("services");
    final List<Service> tidewire = new ArrayList<>();
    for (final Map.Entry<String, Object> entry : services.entrySet()) {
      final Map<String, Object> spec = (Map<String, Object>) entry.getValue();
      if (!String.valueOf(spec.get("image")).startsWith("tidewire:")) {
        continue;
      }
      final List<Object> command = (List<Object>) spec.get("command");
      final Map<String, String> env = new TreeMap<>();
      environment(services, entry.getKey()).forEach((k, v) -> env.put(k, interpolate(String.valueOf(v), dotEnv)));
      tidewire.add(new Service(entry.getKey(), String.valueOf(command.get(0)), env, spec));
    }
    return tidewire;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environment(final Object services, final String name) {
    final Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) services).get(name);
    return new LinkedHashMap<>((Map<String, Object>) spec.get("environment"));
  }

  /** The service's environment as written in the file, before interpolation. */
  private static Map<String, Object> raw(final String service) throws IOException {
    return environment(compose().get("services"), service);
  }

  /**
   * Compose's interpolation: {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}},
   * {@code ${VAR:?error}}, {@code ${VAR?error}} and {@code $$}.
   */
  static String interpolate(final String value, final Map<String, String> vars) {
    final Matcher m = VARIABLE.matcher(value);
    final StringBuilder out = new StringBuilder();
    while (m.find()) {
      final String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        final String set = vars.get(m.group(1));
        final String op = Optional.ofNullable(m.group(2)).orElse("");
        final boolean missing = op.startsWith(":") ? set == null || set.isEmpty() : set == null;
        if (!missing) {
          replacement = set;
        } else if (op.endsWith("?")) {
          throw new AssertionError("compose needs " + m.group(1) + ": " + m.group(3));
        } else {
          replacement = op.endsWith("-") ? m.group(3) : "";
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
