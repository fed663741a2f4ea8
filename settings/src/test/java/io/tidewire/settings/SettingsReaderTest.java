package io.tidewire.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {

  /** A part of its own, as the capture or the gateway would declare one. */
  private static final Setting<Integer> PORT = Setting.of("TIDEWIRE_TEST_PORT", Parsers.ints(1, 65_535))
      .byDefault("5432").doc("a port");
  private static final Setting<Duration> WAIT = Setting.of("TIDEWIRE_TEST_WAIT_MS", Parsers.millis(1, 60_000))
      .byDefault("100").doc("a wait");
  private static final Setting<String> SECRET = Setting.of("TIDEWIRE_TEST_SECRET", Parsers.text())
      .check(s -> s.length() >= 8, "at least 8 characters", s -> s.length() + " characters").secret().untrimmed()
      .doc("a secret");
  private static final Setting<List<Integer>> LIST = Setting.of("TIDEWIRE_TEST_LIST",
      Parsers.list(Parsers.ints(0, 9))).byDefault("1,2").doc("digits");
  private static final PassThrough LIB = new PassThrough("TIDEWIRE_TEST_LIB_", "a library's settings");
  private static final SettingGroup PART = SettingGroup.of(List.of(PORT, WAIT, SECRET, LIST), List.of(LIB))
      .and(KafkaSettings.SETTINGS);

  /** Another part's variables: unknown to PART alone, known to the launcher's union. */
  private static final Setting<String> OTHER = Setting.of("TIDEWIRE_OTHER_HOST", Parsers.text()).byDefault("h")
      .doc("another part's host");
  private static final PassThrough OTHER_STREAMS = new PassThrough("TIDEWIRE_KAFKA_STREAMS_", "nested family");
  private static final SettingGroup ALL = PART.and(SettingGroup.of(List.of(OTHER), List.of(OTHER_STREAMS)));

  private static Map<String, String> env(final String... pairs) {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "k:9092");
    env.put("TIDEWIRE_TEST_SECRET", "12345678");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static List<String> problems(final Map<String, String> env, final SettingGroup known) {
    final SettingsReader in = SettingsReader.of(env, known);
    KafkaSettings.read(in);
    in.get(PORT);
    in.get(WAIT);
    in.get(SECRET);
    in.get(LIST);
    in.passThrough(LIB, Map.of("fixed.key", "it is fixed"));
    return catchThrowableOfType(Problems.class, () -> in.throwIfInvalid(Problems::new)).problems;
  }

  private static final class Problems extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final List<String> problems;

    Problems(final List<String> problems) {
      this.problems = problems;
    }
  }

  @Test
  void unsetAndBlankVariablesTakeTheirDefaults() {
    final SettingsReader in = SettingsReader.of(env("TIDEWIRE_TEST_WAIT_MS", "  "), PART);

    assertThat(in.get(PORT)).isEqualTo(5432);
    assertThat(in.get(WAIT)).isEqualTo(Duration.ofMillis(100));
    assertThat(in.get(LIST)).containsExactly(1, 2);
    in.throwIfInvalid(Problems::new);
  }

  @Test
  void everyProblemIsReportedAtOnceNamingItsVariable() {
    final Map<String, String> env = env("TIDEWIRE_TEST_PORT", "http", "TIDEWIRE_TEST_WAIT_MS", "0",
        "TIDEWIRE_TEST_SECRET", "short", "TIDEWIRE_TEST_LIST", "1,x,12", "TIDEWIRE_TOPIC_PARTITIONS", "0");
    env.remove("TIDEWIRE_KAFKA_BOOTSTRAP");

    assertThat(problems(env, PART)).containsExactly(
        "TIDEWIRE_KAFKA_BOOTSTRAP is required (" + KafkaSettings.BOOTSTRAP.doc() + ")",
        "TIDEWIRE_TOPIC_PARTITIONS must be 1..10000, got '0'",
        "TIDEWIRE_TEST_PORT must be a whole number, got 'http'",
        "TIDEWIRE_TEST_WAIT_MS must be 1..60000 ms, got '0'",
        "TIDEWIRE_TEST_SECRET must be at least 8 characters, got 5 characters",
        "TIDEWIRE_TEST_LIST must be a whole number, got 'x'",
        "TIDEWIRE_TEST_LIST must be 0..9, got '12'");
  }

  @Test
  void aSecretIsReadAsWrittenAndNeverEchoed() {
    assertThat(problems(env("TIDEWIRE_TEST_SECRET", " hunt "), PART)).singleElement().asString()
        .doesNotContain("hunt");
    final SettingsReader in = SettingsReader.of(env("TIDEWIRE_TEST_SECRET", " hunter2 "), PART);
    assertThat(in.get(SECRET)).isEqualTo(" hunter2 ");
  }

  @Test
  void unknownVariableIsRejectedWithTheNearestKnownName() {
    assertThat(problems(env("TIDEWIRE_TEST_PROT", "1", "TIDEWIRE_TEST_WAIT", "5"), PART)).containsExactly(
        "unknown variable TIDEWIRE_TEST_PROT (did you mean TIDEWIRE_TEST_PORT?)",
        "unknown variable TIDEWIRE_TEST_WAIT (did you mean TIDEWIRE_TEST_WAIT_MS?)");
  }

  @Test
  void unknownVariableFarFromEveryNameSaysNoPartReadsIt() {
    assertThat(problems(env("TIDEWIRE_SOMETHING_ELSE_ENTIRELY", "1", "PATH", "/bin"), PART))
        .containsExactly("unknown variable TIDEWIRE_SOMETHING_ELSE_ENTIRELY (no Tidewire part reads it)");
  }

  @Test
  void misspeltPrefixIsSuggestedWithTheRestOfTheName() {
    assertThat(problems(env("TIDEWIRE_TEST_LBI_MAX_SIZE", "1"), PART))
        .containsExactly("unknown variable TIDEWIRE_TEST_LBI_MAX_SIZE (did you mean TIDEWIRE_TEST_LIB_MAX_SIZE?)");
  }

  @Test
  void nearMissOfANameIsRejectedEvenUnderAPassThroughPrefix() {
    assertThat(problems(env("TIDEWIRE_KAFKA_BOOTSTRAPP", "k:1"), PART))
        .containsExactly("unknown variable TIDEWIRE_KAFKA_BOOTSTRAPP (did you mean TIDEWIRE_KAFKA_BOOTSTRAP?)");
  }

  @Test
  void anotherPartsVariablesAreUnknownAloneButKnownInTheUnion() {
    final Map<String, String> env = env("TIDEWIRE_OTHER_HOST", "not read here");

    assertThat(problems(env, PART)).containsExactly(
        "unknown variable TIDEWIRE_OTHER_HOST (no Tidewire part reads it)");
    final SettingsReader in = SettingsReader.of(env, ALL);
    assertThat(in.get(PORT)).isEqualTo(5432);
    in.throwIfInvalid(Problems::new);
  }

  @Test
  void passThroughMapsNamesToPropertyKeysWithOneRule() {
    final SettingsReader in = SettingsReader.of(env(
        "TIDEWIRE_TEST_LIB_MAX_BATCH_SIZE", " 4096 ",
        "TIDEWIRE_TEST_LIB_SOME__UNDERSCORED_KEY", "x",
        "TIDEWIRE_TEST_LIB_BLANK", " "), PART);

    assertThat(in.passThrough(LIB, Map.of())).containsExactly(
        Map.entry("max.batch.size", "4096"), Map.entry("some_underscored.key", "x"));
    assertThat(PassThrough.propertyKey("SASL_JAAS_CONFIG")).isEqualTo("sasl.jaas.config");
    assertThat(LIB.variableFor("some_underscored.key")).isEqualTo("TIDEWIRE_TEST_LIB_SOME__UNDERSCORED_KEY");
  }

  @Test
  void passThroughRejectsFixedKeysAndEmptyNames() {
    assertThat(problems(env("TIDEWIRE_TEST_LIB_FIXED_KEY", "1", "TIDEWIRE_TEST_LIB_", "2",
        "TIDEWIRE_KAFKA_BOOTSTRAP_SERVERS", "k:1"), PART)).containsExactly(
        "TIDEWIRE_KAFKA_* cannot set 'bootstrap.servers': set TIDEWIRE_KAFKA_BOOTSTRAP instead",
        "TIDEWIRE_TEST_LIB_ needs a property name after the prefix",
        "TIDEWIRE_TEST_LIB_* cannot set 'fixed.key': it is fixed");
  }

  @Test
  void kafkaClientSettingsReachEveryClientExceptWhatANestedFamilyOrANameClaims() {
    final Map<String, String> env = env(
        "TIDEWIRE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "TIDEWIRE_KAFKA_SASL_JAAS_CONFIG", "secret-jaas",
        "TIDEWIRE_KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1");
    final SettingsReader in = SettingsReader.of(env, ALL);

    final KafkaSettings kafka = KafkaSettings.read(in);

    assertThat(kafka.clientOverrides()).containsOnly(
        Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.jaas.config", "secret-jaas"));
    assertThat(in.passThrough(OTHER_STREAMS, Map.of())).containsOnly(Map.entry("num.standby.replicas", "1"));
    assertThat(kafka.clientProperties()).containsEntry("bootstrap.servers", "k:9092")
        .containsEntry("security.protocol", "SASL_SSL");
    assertThat(kafka.toString()).doesNotContain("secret-jaas").contains("sasl.jaas.config=****");
    in.throwIfInvalid(Problems::new);
  }

  @Test
  void bootstrapAcceptsNamesIpv4AndBracketedIpv6() {
    final SettingsReader in = SettingsReader.of(env("TIDEWIRE_KAFKA_BOOTSTRAP",
        "kafka-1.internal:9092, 10.0.0.7:9093,[::1]:9094,[2001:db8::5]:19092"), PART);

    assertThat(KafkaSettings.read(in).bootstrap())
        .isEqualTo("kafka-1.internal:9092, 10.0.0.7:9093,[::1]:9094,[2001:db8::5]:19092");
    in.throwIfInvalid(Problems::new);
  }

  @Test
  void bootstrapNamesEveryEntryThatIsNotHostAndPort() {
    assertThat(problems(env("TIDEWIRE_KAFKA_BOOTSTRAP", "ok:1,broker2,::1:9092,h:99999,"), PART)).containsExactly(
        "TIDEWIRE_KAFKA_BOOTSTRAP must be host:port[,host:port…] (IPv6 as [::1]:9092), got 'broker2'",
        "TIDEWIRE_KAFKA_BOOTSTRAP must be host:port[,host:port…] (IPv6 as [::1]:9092), got '::1:9092'",
        "TIDEWIRE_KAFKA_BOOTSTRAP must be host:port[,host:port…] (IPv6 as [::1]:9092), got 'h:99999'",
        "TIDEWIRE_KAFKA_BOOTSTRAP must be host:port[,host:port…] (IPv6 as [::1]:9092), got ''");
  }

  @Test
  void crossChecksRunOnlyOnValuesReadWithoutProblems() {
    final SettingsReader in = SettingsReader.of(env("TIDEWIRE_TEST_PORT", "x"), PART);
    in.get(PORT);
    in.get(WAIT);

    assertThat(in.valid(PORT)).isFalse();
    assertThat(in.valid(WAIT)).isTrue();
    in.check(false, "TIDEWIRE_TEST_WAIT_MS needs TIDEWIRE_TEST_PORT", WAIT);
    in.check(false, "a check on a fallback value is skipped", WAIT, PORT);
    assertThat(catchThrowableOfType(Problems.class, () -> in.throwIfInvalid(Problems::new)).problems)
        .containsExactly("TIDEWIRE_TEST_PORT must be a whole number, got 'x'",
            "TIDEWIRE_TEST_WAIT_MS needs TIDEWIRE_TEST_PORT");
  }

  @Test
  void readingASettingTheReaderDoesNotKnowIsAProgrammingError() {
    final SettingsReader in = SettingsReader.of(env(), SettingGroup.of(List.of(PORT), List.of()));

    assertThatThrownBy(() -> in.get(WAIT)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dependentDefaultReplacesTheSpecsDefault() {
    final SettingsReader in = SettingsReader.of(env(), PART);

    assertThat(in.get(LIST, List.of())).isEmpty();
    assertThat(in.get(PORT, 1)).isEqualTo(1);
  }

  @Test
  void aNameOrPrefixDeclaredTwiceByDifferentSpecsIsRefused() {
    final Setting<Integer> again = Setting.of("TIDEWIRE_TEST_PORT", Parsers.ints(0, 1)).byDefault("0");

    assertThatThrownBy(() -> PART.and(SettingGroup.of(List.of(again), List.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TIDEWIRE_TEST_PORT");
    assertThat(PART.and(KafkaSettings.SETTINGS).settings()).hasSameSizeAs(PART.settings());
  }

  @Test
  void noneOrReadsNoneAsEmpty() {
    final Parser<Optional<Integer>> parser = Parsers.noneOr(Parsers.ints(0, 9));

    assertThat(parser.parse("NONE")).isEmpty();
    assertThat(parser.parse("3")).contains(3);
    assertThat(Parsers.noneOrList(Parsers.ints(0, 9)).parse("none")).isEmpty();
  }
}
