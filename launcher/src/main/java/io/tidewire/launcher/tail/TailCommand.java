package io.tidewire.launcher.tail;

import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.protocol.InvalidCursorException;
import io.tidewire.launcher.DevTokens;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tidewire tail}: any Tidewire topic as JSON lines on standard output (see
 * {@link RecordJson} for the line format), for operators and analysts. Reads committed records
 * only, with its own unnamed consumer (no group, nothing committed). Stops after {@code --max}
 * records, or on Ctrl-C/SIGTERM; logs go to standard error.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Print a topic as JSON lines (Avro decoded, CDC envelopes as they are).", "",
        "Avro records are decoded with Tidewire's schemas (current and released), CDC keys and "
        + "Debezium envelopes printed as they are. Reads committed records only "
        + "(read_committed) and joins no consumer group. Without --from-beginning or --cursor "
        + "it prints records written from now on.", ""},
    footer = {"", "Each line: {\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\",\"value\""
        + "[,\"headers\"]} (bytes that are neither Avro, JSON nor text: \"keyBase64\"/\"valueBase64\").",
        "Topics: realtime.user-events, realtime.feed-events, realtime.public-changes, "
        + "realtime.user-state, realtime.content-access, realtime.dlq, realtime.broadcast, realtime.presence, "
        + "cdc.<schema>.<table> (docs/CONSUMERS.md).", "",
        "Examples:",
        "  tidewire tail realtime.user-events",
        "  tidewire tail realtime.user-state --from-beginning --max 10",
        "  tidewire tail realtime.user-events --cursor \"$CURSOR\" --max 5",
        "  tidewire tail cdc.public.generation_jobs --from-beginning | jq .value.after"})
public final class TailCommand implements Callable<Integer> {

  /** System property read by log4j2.xml: where the command's logs go. */
  static final String LOG_TARGET_PROPERTY = "tidewire.log.target";

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration POLL = Duration.ofMillis(500);

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic, e.g. realtime.user-events.")
  private String topic;

  @ArgGroup(exclusive = true)
  private Start start;

  @Option(names = "--max", paramLabel = "N",
      description = "Stop after N records (default: run until Ctrl-C).")
  private Optional<Long> max;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
      defaultValue = "${env:TIDEWIRE_KAFKA_BOOTSTRAP:-127.0.0.1:19092}",
      description = "Kafka bootstrap servers (default: TIDEWIRE_KAFKA_BOOTSTRAP, else the demo's "
          + "broker; now ${DEFAULT-VALUE}).")
  private String kafka;

  @Spec
  private CommandSpec spec;

  /** Where to start; the default is the end of each partition. */
  static final class Start {
    @Option(names = "--from-beginning", required = true,
        description = "Start at the oldest retained record of every partition.")
    private boolean fromBeginning;

    @Option(names = "--cursor", paramLabel = "CURSOR", required = true,
        description = "Start right after a gateway cursor (v3.…, from an event or a subscribed "
            + "frame): the partitions it names, from its offsets. A user channel's cursor names "
            + "the user's partition of realtime.user-events, which other users share.")
    private String cursor;
  }

  @Override
  public Integer call() {
    logToStandardError();
    final PrintWriter out = spec.commandLine().getOut();
    final PrintWriter err = spec.commandLine().getErr();
    if (max.isPresent() && max.get() < 1) {
      err.println("tail: --max must be at least 1");
      return 2;
    }
    final Map<TopicPartition, Long> from;
    try {
      from = startPositions(describe());
    } catch (TailException e) {
      err.println("tail: " + e.getMessage());
      return e.exitCode;
    }
    return run(from, out, err);
  }

  /** Prints records from {@code from} (partition to offset; -1 = beginning, -2 = end). */
  private int run(final Map<TopicPartition, Long> from, final PrintWriter out,
      final PrintWriter err) {
    final RecordJson json = new RecordJson();
    final CountDownLatch finished = new CountDownLatch(1);
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      final Thread stopper = new Thread(() -> {
        consumer.wakeup();
        try {
          finished.await(5, TimeUnit.SECONDS); // let the loop close the consumer and flush
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "tidewire-tail-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      try {
        consumer.assign(from.keySet());
        from.forEach((partition, offset) -> {
          if (offset == -1L) {
            consumer.seekToBeginning(List.of(partition));
          } else if (offset == -2L) {
            consumer.seekToEnd(List.of(partition));
          } else {
            consumer.seek(partition, offset);
          }
        });
        long printed = 0;
        while (max.isEmpty() || printed < max.get()) {
          for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            out.println(json.format(record));
            if (++printed == max.orElse(Long.MAX_VALUE)) {
              break;
            }
          }
          out.flush();
        }
        return 0;
      } catch (WakeupException e) {
        return 0; // Ctrl-C or SIGTERM
      } catch (InvalidOffsetException e) {
        err.println("tail: records after the cursor were deleted by retention (" + e.getMessage()
            + "); tail --from-beginning instead");
        return 1;
      } finally {
        out.flush();
        finished.countDown();
        removeHook(stopper);
      }
    }
  }

  private TopicDescription describe() throws TailException {
    try (Admin admin = Admin.create(adminProps())) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new TailException(1, "cannot describe " + topic + " on " + kafka + ": "
              + e.getCause().getMessage());
        }
        final TreeSet<String> topics = new TreeSet<>(admin.listTopics().names()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        throw new TailException(1, "no topic " + topic + " on " + kafka + "; it has " + topics);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TailException(1, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new TailException(1, "cannot reach Kafka at " + kafka + " (--kafka or "
          + "TIDEWIRE_KAFKA_BOOTSTRAP): " + e);
    }
  }

  private Map<TopicPartition, Long> startPositions(final TopicDescription description)
      throws TailException {
    final int partitions = description.partitions().size();
    if (start != null && start.cursor != null) {
      return cursorPositions(description, partitions);
    }
    final long position = start != null && start.fromBeginning ? -1L : -2L;
    final Map<TopicPartition, Long> from = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      from.put(new TopicPartition(topic, p), position);
    }
    return from;
  }

  /**
   * The gateways' cursor codec, keyed as they key it: {@code TIDEWIRE_GATEWAY_CURSOR_KEY}, else
   * derived from {@code TIDEWIRE_JWT_SECRET}, else from the demo's public secret (so a cursor of
   * {@code tidewire demo} works without any setting).
   */
  static CursorCodec cursors(final Map<String, String> env) {
    final String secret = env.getOrDefault(GatewaySettings.JWT_SECRET.name(), "");
    return new CursorCodec(GatewayConfig.cursorKeyBytes(
        Optional.ofNullable(env.get(GatewaySettings.CURSOR_KEY.name())),
        secret.isBlank() ? DevTokens.DEMO_SECRET : secret));
  }

  private Map<TopicPartition, Long> cursorPositions(final TopicDescription description,
      final int partitions) throws TailException {
    final Cursor cursor;
    try {
      cursor = cursors(System.getenv()).decode(start.cursor);
    } catch (InvalidCursorException e) {
      throw new TailException(2, "invalid cursor: " + e.getMessage() + " (cursors are signed with "
          + "TIDEWIRE_GATEWAY_CURSOR_KEY, or a key derived from TIDEWIRE_JWT_SECRET: set the "
          + "gateways' value in this shell)");
    }
    if (!cursor.epoch().equals(description.topicId())) {
      throw new TailException(2, "the cursor is not one of " + topic + " as it is now (it names "
          + "topic id " + cursor.epoch() + ", " + topic + " has " + description.topicId()
          + "): another topic, or " + topic + " was recreated since");
    }
    final Map<TopicPartition, Long> from = new LinkedHashMap<>();
    final List<Integer> missing = new ArrayList<>();
    cursor.offsets().forEach((partition, offset) -> {
      if (partition >= partitions) {
        missing.add(partition);
      }
      from.put(new TopicPartition(topic, partition), offset);
    });
    if (!missing.isEmpty()) {
      throw new TailException(2, "the cursor names partitions " + missing + " but " + topic
          + " has " + partitions);
    }
    return from;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tidewire-tail-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // a cursor's position deleted by retention must fail, not jump
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private Properties adminProps() {
    final Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidewire-tail-admin");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    return props;
  }

  /** Standard output carries the records: the command's (and Kafka's) logs go to standard error. */
  private static void logToStandardError() {
    if (!"SYSTEM_ERR".equals(System.getProperty(LOG_TARGET_PROPERTY))) {
      System.setProperty(LOG_TARGET_PROPERTY, "SYSTEM_ERR");
      Configurator.reconfigure();
    }
  }

  private static void removeHook(final Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running (Ctrl-C)
    }
  }

  /** A reason not to start, with the exit code. */
  private static final class TailException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    TailException(final int exitCode, final String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }
}
