package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class OwnerPartitionerTest {

  private static final String JOBS = "cdc.public.generation_jobs";
  private final OwnerPartitioner owners = OwnerPartitioner.of(Map.of(JOBS, "user_id"));

  private static String envelope(final String before, final String after, final String op) {
    return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"lsn\":1},\"op\":\"" + op + "\"}";
  }

  @Test
  void choosesThePartitionKafkaGivesTheOwnersIdAsAStringKey() {
    for (final String user : new String[] {"alice", "2c964c8d-e911-40df-84e5-21e05393a463", "42", "é"}) {
      for (final int partitions : new int[] {1, 3, 6, 64}) {
        final String insert = envelope("null", "{\"id\":\"j1\",\"user_id\":\"" + user + "\",\"progress\":3}", "c");
        assertThat(owners.partition(JOBS, insert, () -> partitions))
            .as("what the producer's and Kafka Streams' default partitioners give the key " + user)
            .contains(BuiltInPartitioner.partitionForKey(user.getBytes(StandardCharsets.UTF_8), partitions));
      }
    }
  }

  @Test
  void readsTheOwnerAfterTheChangeOrBeforeADelete() {
    final String before = "{\"id\":\"j1\",\"user_id\":\"alice\",\"meta\":{\"user_id\":\"x\"},\"tags\":[\"user_id\"]}";
    final String after = "{\"id\":\"j1\",\"user_id\":\"bob\",\"progress\":40}";
    assertThat(OwnerPartitioner.owner(envelope(before, after, "u"), "user_id"))
        .as("an update that moves the row goes to its new owner").contains("bob");
    assertThat(OwnerPartitioner.owner(envelope(before, "null", "d"), "user_id")).contains("alice");
    assertThat(OwnerPartitioner.owner(envelope("null", "{\"id\":7,\"user_id\":42}", "c"), "user_id"))
        .as("an integer owner reads as its digits, as the processor reads it").contains("42");
  }

  @Test
  void leavesThePartitionToTheProducerWhenNoOwnerCanBeRead() {
    assertThat(owners.partition("cdc.public.videos", envelope("null", "{\"user_id\":\"a\"}", "c"), () -> 3))
        .as("a table not partitioned by owner").isEmpty();
    assertThat(owners.partition(JOBS, null, () -> 3)).as("a tombstone").isEmpty();
    assertThat(owners.partition(JOBS, envelope("{\"id\":\"j1\"}", "null", "d"), () -> 3))
        .as("a delete without the old row (REPLICA IDENTITY DEFAULT)").isEmpty();
    assertThat(owners.partition(JOBS, envelope("null", "{\"user_id\":null}", "c"), () -> 3)).isEmpty();
    assertThat(owners.partition(JOBS, envelope("null", "{\"user_id\":\" \"}", "c"), () -> 3)).isEmpty();
    assertThat(owners.partition(JOBS, envelope("null", "{\"user_id\":{\"a\":1}}", "c"), () -> 3)).isEmpty();
    assertThat(owners.partition(JOBS, "{\"before\":", () -> 3)).as("malformed JSON").isEmpty();
    assertThat(owners.partition(JOBS, "[]", () -> 3)).isEmpty();
    assertThat(owners.partition(JOBS, envelope("null", "{\"user_id\":\"a\"}", "c"), () -> 0))
        .as("a topic whose partitions are not known").isEmpty();
    assertThat(OwnerPartitioner.none().partition(JOBS, envelope("null", "{\"user_id\":\"a\"}", "c"), () -> 3))
        .isEqualTo(Optional.empty());
  }
}
