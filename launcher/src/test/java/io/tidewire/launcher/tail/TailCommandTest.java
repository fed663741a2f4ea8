package io.tidewire.launcher.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.infra.SharedInfra;
import io.tidewire.launcher.Main;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.UserEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tidewire tail} against the shared embedded Kafka: records produced here, the command run
 * in this JVM (and once as its own process, for SIGTERM), its output lines checked.
 */
class TailCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static String bootstrap;

  @BeforeAll
  static void kafka() {
    bootstrap = SharedInfra.get().kafka().bootstrapServers();
  }

  @Test
  void printsAvroDecodedRecordsAsJsonLinesAndSkipsAbortedOnes() throws Exception {
    final String events = newTopic("realtime.user-events", 1);
    final String user = "u-" + UUID.randomUUID();
    try (KafkaProducer<byte[], byte[]> producer = transactional()) {
      producer.beginTransaction();
      producer.send(event(events, user, "aborted", 1));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(event(events, user, "e1", 10));
      producer.send(rowChange(events, user, "e2"));
      producer.commitTransaction();
    }

    final Run run = tail(events, "--from-beginning", "--max", "2");

    assertThat(run.code).isZero();
    assertThat(run.lines()).hasSize(2);
    final JsonNode first = run.lines().get(0);
    assertThat(first.path("topic").asText()).isEqualTo(events);
    assertThat(first.path("key").asText()).isEqualTo(user);
    assertThat(first.path("value").path("id").asText()).isEqualTo("e1");
    assertThat(first.path("value").path("type").asText()).isEqualTo("credits.updated");
    assertThat(first.path("value").path("data").path("balance").asLong()).isEqualTo(10);
    assertThat(first.path("value").path("source").path("table").asText()).isEqualTo("public.users");
    final JsonNode second = run.lines().get(1);
    assertThat(second.path("offset").asLong()).isEqualTo(first.path("offset").asLong() + 1);
    // RowChange.row is a JSON string in Avro: tail shows it as JSON, as the gateway does
    assertThat(second.path("value").path("data").path("row").path("id").asText()).isEqualTo("o1");
  }

  @Test
  void printsCdcEnvelopesAsTheyAreTombstonesAsNullAndHeaders() throws Exception {
    final String cdc = newTopic("cdc.public.tail_test", 1);
    final String key = "{\"id\":\"" + UUID.randomUUID() + "\"}";
    final String envelope = "{\"before\":null,\"after\":{\"id\":1,\"amount\":\"12.50\"},"
        + "\"source\":{\"table\":\"tail_test\",\"lsn\":24023128},\"op\":\"c\",\"ts_ms\":1700000000050}";
    try (KafkaProducer<byte[], byte[]> producer = plain()) {
      producer.send(new ProducerRecord<>(cdc, utf8(key), utf8(envelope))).get();
      producer.send(new ProducerRecord<>(cdc, utf8(key), null)).get();
      final ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(cdc, null, new byte[] {0, (byte) 0xFF});
      dead.headers().add(DeadLetterHeaders.REASON, utf8("not a change"));
      producer.send(dead).get();
    }

    final Run run = tail(cdc, "--from-beginning", "--max", "3");

    assertThat(run.code).isZero();
    assertThat(run.out).contains("\"key\":" + key + ",\"value\":" + envelope + "}");
    assertThat(run.lines().get(1).get("value").isNull()).isTrue();
    assertThat(run.lines().get(2).path("valueBase64").asText()).isEqualTo("AP8=");
    assertThat(run.lines().get(2).path("headers").path(DeadLetterHeaders.REASON).asText())
        .isEqualTo("not a change");
  }

  @Test
  void startsRightAfterAGatewayCursor() throws Exception {
    final String events = newTopic("realtime.user-events", 3);
    final String user = "u-" + UUID.randomUUID();
    final List<RecordMetadata> written = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = plain()) {
      for (int i = 0; i < 4; i++) {
        written.add(producer.send(event(events, user, user + "-" + i, i)).get());
      }
    }
    final RecordMetadata second = written.get(1);
    // the cursor a client holds after the second event: its offset + 1, in the user's partition
    final String cursor = TailCommand.cursors(Map.of()).encode(Cursor.of(topicId(events), Cursor.scopeOf(user),
        second.partition(), second.offset() + 1));

    final Run run = tail(events, "--cursor", cursor, "--max", "2");

    assertThat(run.code).isZero();
    assertThat(run.lines()).extracting(l -> l.path("value").path("id").asText())
        .containsExactly(user + "-2", user + "-3");
  }

  @Test
  void refusesACursorOfAnotherTopicOrAMalformedOne() throws Exception {
    final String events = newTopic("realtime.user-events", 3);
    final String ofCdc = TailCommand.cursors(Map.of()).encode(Cursor.of(topicId(newTopic("cdc.public.x", 1)), 0, 0, 0));

    final Run other = tail(events, "--cursor", ofCdc);
    final Run garbage = tail(events, "--cursor", "v2.nope");

    assertThat(other.code).isEqualTo(2);
    assertThat(other.err).contains("the cursor is not one of " + events);
    assertThat(garbage.code).isEqualTo(2);
    assertThat(garbage.err).contains("invalid cursor");
  }

  @Test
  void namesTheTopicsThereAreWhenTheTopicDoesNotExist() throws Exception {
    final String events = newTopic("realtime.user-events", 1);
    final Run run = tail("realtime.nope");

    assertThat(run.code).isEqualTo(1);
    assertThat(run.err).contains("no topic realtime.nope").contains(events);
  }

  @Test
  void withoutAStartItPrintsWhatIsWrittenFromNowOn() throws Exception {
    final String events = newTopic("realtime.user-events", 1);
    final String user = "u-" + UUID.randomUUID();
    final CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> tail(events, "--max", "1"));
    try (KafkaProducer<byte[], byte[]> producer = plain()) {
      // the tail starts at the end it finds: write until it has printed one record
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        producer.send(event(events, user, user, 1)).get();
        return run.isDone();
      });
    }
    assertThat(run.get().code).isZero();
    assertThat(run.get().lines()).singleElement()
        .satisfies(line -> assertThat(line.path("key").asText()).isEqualTo(user));
  }

  @Test
  void exitsCleanlyOnSigterm() throws Exception {
    final String events = newTopic("realtime.user-events", 1);
    final String user = "u-" + UUID.randomUUID();
    try (KafkaProducer<byte[], byte[]> producer = plain()) {
      producer.send(event(events, user, user, 1)).get();
    }
    final Process process = new ProcessBuilder(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-Dlog4j2.configurationFile=target/classes/log4j2.xml",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "tail", events, "--from-beginning", "--kafka", bootstrap).start();
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final StringBuffer stderr = new StringBuffer();
    final Thread reader = new Thread(() -> readLines(process.getInputStream(), lines::add));
    final Thread errors = new Thread(() -> readLines(process.getErrorStream(),
        line -> stderr.append(line).append('\n')));
    reader.start();
    errors.start();
    try {
      await().atMost(Duration.ofSeconds(60)).conditionEvaluationListener(condition -> {
        if (!condition.isSatisfied() && condition.getRemainingTimeInMS() <= condition.getPollInterval().toMillis()) {
          System.err.println("tail's stderr so far: " + stderr);
        }
      }).until(() -> lines.stream().anyMatch(l -> l.contains(user)));
      process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook stops the tail

      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      reader.join(5_000);
      errors.join(5_000);
      assertThat(process.exitValue()).isIn(0, 143);
      assertThat(stderr.toString()).doesNotContain("Exception");
      for (final String line : lines) {
        assertThat(JSON.readTree(line).path("topic").asText()).isEqualTo(events);
      }
    } finally {
      process.destroyForcibly();
    }
  }

  /** The result of one in-process run. */
  private record Run(int code, String out, String err) {
    List<JsonNode> lines() {
      return out.lines().map(line -> {
        try {
          return JSON.readTree(line);
        } catch (Exception e) {
          throw new AssertionError("not a JSON line: " + line, e);
        }
      }).toList();
    }
  }

  private static Run tail(final String... args) {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final List<String> all = new ArrayList<>(List.of("tail"));
    all.addAll(List.of(args));
    all.addAll(List.of("--kafka", bootstrap));
    final int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true)).execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** A fresh topic (tests share the broker). */
  private static String newTopic(final String prefix, final int partitions) throws Exception {
    final String name = prefix + "." + UUID.randomUUID();
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
    }
    return name;
  }

  private static ProducerRecord<byte[], byte[]> event(final String topic, final String user,
      final String id, final long balance) {
    return new ProducerRecord<>(topic, utf8(user), Topics.USER_EVENTS.valueSerde().serializer()
        .serialize(topic, UserEvent.newBuilder().setId(id).setUserId(user).setType("credits.updated")
            .setTs(1L).setSource(SourcePosition.newBuilder().setTable("public.users").build())
            .setData(CreditsUpdated.newBuilder().setBalance(balance).setDelta(1L).build()).build()));
  }

  private static ProducerRecord<byte[], byte[]> rowChange(final String topic, final String user,
      final String id) {
    return new ProducerRecord<>(topic, utf8(user), Topics.USER_EVENTS.valueSerde().serializer()
        .serialize(topic, UserEvent.newBuilder().setId(id).setUserId(user).setType("row.orders")
            .setTs(2L).setSource(SourcePosition.newBuilder().setTable("public.orders").build())
            .setData(RowChange.newBuilder().setTable("public.orders").setOp("insert")
                .setRow("{\"id\":\"o1\",\"total\":3}").build()).build()));
  }

  private static Uuid topicId(final String topic) throws Exception {
    try (Admin admin = admin()) {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic).topicId();
    }
  }

  private static void readLines(final InputStream in, final Consumer<String> line) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      reader.lines().forEach(line);
    } catch (IOException e) {
      line.accept("cannot read: " + e);
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  private static KafkaProducer<byte[], byte[]> plain() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaProducer<byte[], byte[]> transactional() {
    final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tail-test-" + UUID.randomUUID()),
        new ByteArraySerializer(), new ByteArraySerializer());
    producer.initTransactions();
    return producer;
  }

  private static byte[] utf8(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
