package io.tidewire.capture.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.util.SharedTopicAdmin;
import org.apache.kafka.connect.util.TopicAdmin;

/**
 * Kafka Connect's {@link KafkaOffsetBackingStore} (same topic layout, same keys, same JSON
 * converter as Debezium's own setup) that also owns its admin client and closes it in
 * {@link #stop()}.
 *
 * <p>Why: Debezium creates the store with a {@code SharedTopicAdmin} that nobody closes, so every
 * engine leaves a {@code kafka-admin-client-thread} and a broker connection behind. Not API:
 * Debezium instantiates this class by name from the {@code offset.storage} property, which is
 * why it is public and has a no-argument constructor.
 *
 * <p>Thread-safety: as the base class; {@link #configure}, {@link #start} and {@link #stop} are
 * called by the engine in that order.
 */
public final class OwnedAdminKafkaOffsetBackingStore extends KafkaOffsetBackingStore {

  private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Owned owned;

  /** Called by Debezium through reflection. */
  public OwnedAdminKafkaOffsetBackingStore() {
    this(new Owned());
  }

  private OwnedAdminKafkaOffsetBackingStore(final Owned owned) {
    super(owned::admin, owned::clientIdBase, offsetKeyConverter());
    this.owned = owned;
  }

  @Override
  public void configure(final WorkerConfig config) {
    final Object name = config.originals().get("name");
    final String base = (name == null ? "tidewire-capture" : name.toString()) + "-";
    final Map<String, Object> adminProps = new HashMap<>(config.originals());
    adminProps.put(CommonClientConfigs.CLIENT_ID_CONFIG, base + "offsets-admin");
    owned.configure(base, new SharedTopicAdmin(adminProps));
    super.configure(config);
  }

  @Override
  public void stop() {
    try {
      super.stop();
    } finally {
      owned.close();
    }
  }

  private static JsonConverter offsetKeyConverter() {
    final JsonConverter converter = new JsonConverter();
    converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), true);
    return converter;
  }

  /** State the base-class constructor's suppliers read; set in configure, before they are used. */
  private static final class Owned {
    private volatile SharedTopicAdmin admin;
    private volatile String clientIdBase = "tidewire-capture-";

    synchronized void configure(final String base, final SharedTopicAdmin newAdmin) {
      close();
      clientIdBase = base;
      admin = newAdmin;
    }

    TopicAdmin admin() {
      final SharedTopicAdmin current = admin;
      if (current == null) {
        throw new IllegalStateException("offset store used before configure()");
      }
      return current.get();
    }

    String clientIdBase() {
      return clientIdBase;
    }

    synchronized void close() {
      final SharedTopicAdmin current = admin;
      admin = null;
      if (current != null) {
        current.close(ADMIN_CLOSE_TIMEOUT);
      }
    }
  }
}
