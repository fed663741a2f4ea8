package io.tidewire.infra;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL and one Kafka broker per JVM, started on first use and stopped when the JVM
 * exits, so a whole test run pays their start-up once. Tests keep out of each other's way with
 * their own users, topics, slots and consumer groups.
 *
 * <p>Data lives under {@code java.io.tmpdir} (Surefire sets it to {@code target/tmp}).
 * Thread-safe.
 */
public final class SharedInfra {

  private static final Logger LOG = LoggerFactory.getLogger(SharedInfra.class);
  private static volatile SharedInfra instance;

  private final EmbeddedPostgres postgres;
  private final EmbeddedKafka kafka;

  private SharedInfra(final EmbeddedPostgres postgres, final EmbeddedKafka kafka) {
    this.postgres = postgres;
    this.kafka = kafka;
  }

  /** The shared servers, starting them if this is the first call in this JVM. */
  public static SharedInfra get() {
    SharedInfra local = instance;
    if (local == null) {
      synchronized (SharedInfra.class) {
        local = instance;
        if (local == null) {
          local = startBoth();
          instance = local;
        }
      }
    }
    return local;
  }

  private static SharedInfra startBoth() {
    final Path root = Paths.get(System.getProperty("java.io.tmpdir"))
        .resolve("tidewire-infra-" + UUID.randomUUID());
    LOG.info("Starting shared PostgreSQL and Kafka under {}", root);
    // the two start-ups are independent: overlap them
    final CompletableFuture<EmbeddedPostgres> pg = CompletableFuture.supplyAsync(
        () -> EmbeddedPostgres.start(0, root.resolve("postgres")));
    final EmbeddedKafka kafka;
    try {
      kafka = EmbeddedKafka.start(0, root.resolve("kafka"));
    } catch (RuntimeException e) {
      pg.thenAccept(EmbeddedPostgres::close);
      throw e;
    }
    final EmbeddedPostgres postgres;
    try {
      postgres = pg.join();
    } catch (CompletionException e) {
      kafka.close();
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    final SharedInfra infra = new SharedInfra(postgres, kafka);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        postgres.close();
      } finally {
        kafka.close();
      }
    }, "tidewire-shared-infra-stop"));
    return infra;
  }

  public EmbeddedPostgres postgres() {
    return postgres;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }
}
