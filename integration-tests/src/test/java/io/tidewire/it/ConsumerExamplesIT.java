package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.schemas.ReleasedSchemas;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/CONSUMERS.md's examples, run against the real pipeline: rows written to PostgreSQL, their
 * events read from realtime.user-events by the Node example (avsc + kafkajs, nothing of Tidewire but
 * the .avsc files) and by the Java example (the schemas artifact), each as its own process, and
 * compared with what the pipeline produced.
 */
class ConsumerExamplesIT {

  private static final SharedStack STACK = SharedStack.get();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Paths.get("..", "examples", "consumers").toAbsolutePath().normalize();
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @BeforeAll
  static void installNodeExample() throws Exception {
    final Run install = run(EXAMPLES.resolve("node"), List.of("npm", "ci", "--no-audit", "--no-fund"));
    assertThat(install.code).as("npm ci in examples/consumers/node: %s", install.err).isZero();
  }

  @Test
  void nodeExampleDecodesTheUsersEventsWithOnlyTheAvscFiles() throws Exception {
    final UUID user = STACK.newUser();
    final UUID job = progressOfANewJob(user);
    final List<UserEvent> produced = eventsOf(user, job);

    final Run node = run(EXAMPLES.resolve("node"), List.of("node", "consume.js",
        "--bootstrap", STACK.kafkaBootstrap(), "--topic", Topics.USER_EVENTS.name(),
        "--from-beginning", "--key", user.toString(), "--max", Integer.toString(produced.size())));

    System.out.println("examples/consumers/node/consume.js printed:\n" + node.out);
    assertThat(node.code).as("node consume.js: %s", node.err).isZero();
    final List<JsonNode> lines = new ArrayList<>();
    for (final String line : node.out.lines().toList()) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines).extracting(l -> l.path("value").path("id").asText())
        .containsExactlyElementsOf(produced.stream().map(UserEvent::getId).toList());
    final String fingerprint = HexFormat.of().formatHex(ReleasedSchemas.fingerprint(UserEvent.getClassSchema()));
    for (int i = 0; i < lines.size(); i++) {
      final JsonNode line = lines.get(i);
      final UserEvent event = produced.get(i);
      assertThat(line.path("key").asText()).isEqualTo(user.toString());
      assertThat(line.path("fingerprint").asText()).isEqualTo(fingerprint);
      assertThat(line.path("value").path("type").asText()).isEqualTo(event.getType());
      assertThat(line.path("value").path("ts").asLong()).isEqualTo(event.getTs());
      assertThat(line.path("value").path("source").path("lsn").asLong())
          .isEqualTo(event.getSource().getLsn());
      if (event.getData() instanceof GenerationProgress progress) {
        assertThat(line.path("value").path("dataType").asText()).isEqualTo("GenerationProgress");
        assertThat(line.path("value").path("data").path("jobId").asText()).isEqualTo(progress.getJobId());
        assertThat(line.path("value").path("data").path("progress").asInt()).isEqualTo(progress.getProgress());
      }
    }
  }

  @Test
  void nodeExampleDecodesPublicRowChanges() throws Exception {
    final UUID owner = STACK.newUser();
    final UUID video = UUID.randomUUID();
    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, true, 'harbour')", video, owner);
    final String key = "video:" + video;
    await().atMost(Duration.ofSeconds(60)).until(() -> CommittedRecords.of(STACK.kafkaBootstrap(), Topics.PUBLIC_CHANGES, key), events -> !events.isEmpty());

    final Run node = run(EXAMPLES.resolve("node"), List.of("node", "consume.js",
        "--bootstrap", STACK.kafkaBootstrap(), "--topic", Topics.PUBLIC_CHANGES.name(),
        "--from-beginning", "--key", key, "--max", "1"));

    System.out.println("examples/consumers/node/consume.js printed:\n" + node.out);
    assertThat(node.code).as("node consume.js: %s", node.err).isZero();
    final JsonNode line = JSON.readTree(node.out.lines().findFirst().orElseThrow());
    assertThat(line.path("schema").asText()).isEqualTo(PublicRowEvent.getClassSchema().getFullName());
    assertThat(line.path("fingerprint").asText())
        .isEqualTo(HexFormat.of().formatHex(ReleasedSchemas.fingerprint(PublicRowEvent.getClassSchema())));
    assertThat(line.path("value").path("type").asText()).isEqualTo("row.videos");
    assertThat(line.path("value").path("dataType").asText()).isEqualTo("RowChange");
    assertThat(line.path("value").path("data").path("op").asText()).isEqualTo("insert");
    assertThat(line.path("value").path("data").path("row").path("caption").asText()).isEqualTo("harbour");
    assertThat(line.path("value").path("data").path("old").isNull()).isTrue();
  }

  @Test
  void javaExampleDecodesTheUsersEventsWithTheSchemasArtifact() throws Exception {
    final UUID user = STACK.newUser();
    final UUID job = progressOfANewJob(user);
    final List<UserEvent> produced = eventsOf(user, job);

    final Run java = run(EXAMPLES.resolve("java"), List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "ConsumeUserEvents.java",
        STACK.kafkaBootstrap(), user.toString(), Integer.toString(produced.size())));

    System.out.println("examples/consumers/java/ConsumeUserEvents.java printed:\n" + java.out);
    assertThat(java.code).as("ConsumeUserEvents.java: %s", java.err).isZero();
    final List<String> lines = java.out.lines().filter(l -> l.contains(" user=")).toList();
    assertThat(lines).hasSameSizeAs(produced);
    for (int i = 0; i < lines.size(); i++) {
      final UserEvent event = produced.get(i);
      // the example prints a RowChange's row (row.<table> events), any other payload as it is
      final Object data = event.getData() instanceof RowChange change ? change.getRow() : event.getData();
      assertThat(lines.get(i)).contains(event.getType() + " user=" + user + " id=" + event.getId()
          + " data=" + data);
    }
  }

  /** A generation job of the user, made active at 40 %; returns its id. */
  private static UUID progressOfANewJob(final UUID user) throws Exception {
    final UUID job = UUID.randomUUID();
    STACK.sql("INSERT INTO generation_jobs (id, user_id, kind, prompt) VALUES (?, ?, 'image', "
        + "'a lighthouse in fog')", job, user);
    STACK.sql("UPDATE generation_jobs SET status = 'active', progress = 40 WHERE id = ?", job);
    return job;
  }

  /**
   * The user's events on realtime.user-events, read with the schemas' serde, once both progress
   * events of the job are there.
   */
  private static List<UserEvent> eventsOf(final UUID user, final UUID job) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> readAll(user), events -> events.stream()
        .filter(e -> e.getData() instanceof GenerationProgress p && p.getJobId().equals(job.toString()))
        .count() == 2);
  }

  private static List<UserEvent> readAll(final UUID user) {
    return CommittedRecords.of(STACK.kafkaBootstrap(), Topics.USER_EVENTS, user.toString());
  }

  private record Run(int code, String out, String err) {}

  private static Run run(final Path dir, final List<String> command) throws IOException, InterruptedException {
    final Path out = Files.createTempFile("example-out", ".txt");
    final Path err = Files.createTempFile("example-err", ".txt");
    final Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(command + " did not finish within " + RUN_TIMEOUT + "; stderr: "
            + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
