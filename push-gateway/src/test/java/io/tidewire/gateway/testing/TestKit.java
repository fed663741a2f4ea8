package io.tidewire.gateway.testing;

import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.settings.KafkaSettings;
import java.nio.charset.StandardCharsets;
import io.tidewire.infra.SharedInfra;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the tests against a real gateway and the shared Kafka have in common. */
public final class TestKit {

  /** The cursors of a gateway whose key is derived from {@link Tokens#SECRET} (as {@link #config}'s). */
  public static final CursorCodec CURSORS =
      new CursorCodec(CursorCodec.deriveKey(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)));

  private TestKit() {}

  /** The shared Kafka's bootstrap servers (starts it on first use). */
  public static String bootstrap() {
    return SharedInfra.get().kafka().bootstrapServers();
  }

  /** A gateway config on the shared Kafka, any free local port (and ops port), the test secret, plus {@code more}. */
  public static GatewayConfig config(final Map<String, String> more) {
    final Map<String, String> env = new HashMap<>(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", bootstrap(),
        "TIDEWIRE_JWT_SECRET", Tokens.SECRET,
        "TIDEWIRE_GATEWAY_HOST", "127.0.0.1",
        "TIDEWIRE_GATEWAY_PORT", "0",
        "TIDEWIRE_GATEWAY_OPS_PORT", "0"));
    env.putAll(KafkaSettings.singleBroker());
    env.putAll(more);
    return GatewayConfig.fromEnv(env);
  }

  /** A producer with String keys for the shared Kafka. */
  public static <V> KafkaProducer<String, V> producer(final Serializer<V> values) {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    return new KafkaProducer<>(props, new StringSerializer(), values);
  }

  /** A single-thread daemon scheduler for a test's timers; shut it down after the test. */
  public static ScheduledExecutorService daemonTimer() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      final Thread t = new Thread(r, "test-timer");
      t.setDaemon(true);
      return t;
    });
  }

  /** A user id no other test uses. */
  public static String newUser() {
    return UUID.randomUUID().toString(); // the gateway requires UUID subjects by default
  }

  /** Closes each, ignoring nulls and failures. */
  public static void closeAll(final AutoCloseable... closeables) {
    for (final AutoCloseable closeable : closeables) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }
}
