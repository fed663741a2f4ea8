package io.tidewire.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its key and value and the configs it is created with, so that
 * no topic name, serde or topic config is spelled twice. Immutable and thread-safe (serdes from
 * {@link Topics} are stateless).
 *
 * @param name the topic name
 * @param keySerde serde of the record key
 * @param valueSerde serde of the record value
 * @param configs topic configs whoever creates the topic sets (e.g. {@code cleanup.policy}); the
 *     broker's defaults for the others
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde,
    Map<String, String> configs) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    configs = Map.copyOf(configs);
  }

  /** A topic created with the broker's default configs. */
  public Topic(final String name, final Serde<K> keySerde, final Serde<V> valueSerde) {
    this(name, keySerde, valueSerde, Map.of());
  }

  @Override
  public String toString() {
    return name;
  }
}
