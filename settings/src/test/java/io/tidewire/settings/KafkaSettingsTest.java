package io.tidewire.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  private static final class Problems extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final List<String> problems;

    Problems(final List<String> problems) {
      this.problems = problems;
    }
  }

  /** The settings read from {@code env} plus a bootstrap, and the problems reading them found. */
  private static Map.Entry<KafkaSettings, List<String>> read(final Map<String, String> env) {
    final Map<String, String> all = new HashMap<>(env);
    all.put(KafkaSettings.BOOTSTRAP.name(), "k1:9092,k2:9092");
    final SettingsReader in = SettingsReader.of(all, KafkaSettings.SETTINGS);
    final KafkaSettings kafka = KafkaSettings.read(in);
    final List<String> problems = new ArrayList<>();
    try {
      in.throwIfInvalid(Problems::new);
    } catch (Problems e) {
      problems.addAll(e.problems);
    }
    return Map.entry(kafka, problems);
  }

  @Test
  void topicsDefaultToThreeReplicasAndTwoInSync() {
    final var read = read(Map.of());

    assertThat(read.getValue()).isEmpty();
    assertThat(read.getKey().replicationFactor()).isEqualTo((short) 3);
    assertThat(read.getKey().minInsyncReplicas()).isEqualTo((short) 2);
  }

  @Test
  void minInsyncReplicasAboveTheReplicationFactorIsAProblemNamingBoth() {
    final var read = read(Map.of("TIDEWIRE_TOPIC_REPLICATION_FACTOR", "1"));

    assertThat(read.getValue()).containsExactly("TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS (2) must not exceed "
        + "TIDEWIRE_TOPIC_REPLICATION_FACTOR (1): no write with acks=all could succeed");
  }

  @Test
  void minInsyncReplicasUpToTheReplicationFactorIsValid() {
    assertThat(read(Map.of("TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3", "TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS", "3"))
        .getValue()).isEmpty();
    assertThat(read(Map.of("TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3", "TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS", "1"))
        .getValue()).isEmpty();
  }

  @Test
  void minInsyncReplicasMustBePositive() {
    assertThat(read(Map.of("TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS", "0")).getValue())
        .containsExactly("TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS must be 1..32767, got '0'");
  }

  @Test
  void theSingleBrokerVariablesAreOneReplicaOneInSync() {
    final var read = read(KafkaSettings.singleBroker());

    assertThat(read.getValue()).isEmpty();
    assertThat(read.getKey().replicationFactor()).isEqualTo((short) 1);
    assertThat(read.getKey().minInsyncReplicas()).isEqualTo((short) 1);
  }

  @Test
  void tooFewBrokersNamesTheSettingAndTheBrokerCountOnOneLine() {
    final String message = read(Map.of()).getKey().tooFewBrokers(1);

    assertThat(message).doesNotContain("\n").startsWith(
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR is 3 but the Kafka cluster at k1:9092,k2:9092 has 1 broker")
        .contains("TIDEWIRE_TOPIC_REPLICATION_FACTOR=1 and TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS=1");
    assertThat(read(Map.of()).getKey().tooFewBrokers(2)).contains("has 2 brokers")
        .contains("TIDEWIRE_TOPIC_REPLICATION_FACTOR=2 and TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS=2");
  }
}
