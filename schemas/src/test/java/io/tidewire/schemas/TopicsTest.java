package io.tidewire.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {

  /** A random string of up to 40 code points from the whole Unicode range (surrogates excluded). */
  private static String randomKey(final Random random) {
    final StringBuilder key = new StringBuilder();
    final int length = random.nextInt(41);
    while (key.codePointCount(0, key.length()) < length) {
      final int codePoint = random.nextBoolean() ? 0x20 + random.nextInt(0x5f) : random.nextInt(0x110000);
      if (Character.isValidCodePoint(codePoint) && Character.getType(codePoint) != Character.SURROGATE) {
        key.appendCodePoint(codePoint);
      }
    }
    return key.toString();
  }

  @Test
  void partitionOfIsWhereKafkasDefaultPartitionerPutsTheKey() {
    final Random random = new Random(20_261_204L);
    for (int i = 0; i < 5_000; i++) {
      final String key = i == 0 ? "" : randomKey(random);
      // the bytes a producer sends for the key: the serializer of the catalogue's key serde
      final byte[] serialized = Topics.USER_EVENTS.keySerde().serializer().serialize("t", key);
      for (final int partitions : List.of(1, 2, 3, 4, 6, 7, 12, 16, 50, 64, 100, 1_000)) {
        assertThat(Topics.partitionOf(key, partitions))
            .as("key %s, %d partitions", key, partitions)
            .isEqualTo(BuiltInPartitioner.partitionForKey(serialized, partitions));
      }
    }
  }

  @Test
  void aTopicHasAtLeastOnePartition() {
    assertThatThrownBy(() -> Topics.partitionOf("u1", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theProcessorsStateTopicsAreCompactedItsEventTopicsNot() {
    assertThat(List.of(Topics.USER_STATE, Topics.CONTENT_ACCESS)).allSatisfy(topic -> assertThat(topic.configs())
        .isEqualTo(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    assertThat(List.of(Topics.USER_EVENTS, Topics.FEED_EVENTS, Topics.PUBLIC_CHANGES, Topics.DEAD_LETTER,
        Topics.cdc("public", "users")))
        .allSatisfy(topic -> assertThat(topic.configs()).isEmpty());
  }
}
