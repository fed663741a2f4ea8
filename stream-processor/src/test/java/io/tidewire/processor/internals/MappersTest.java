package io.tidewire.processor.internals;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tidewire.processor.Envelopes;
import io.tidewire.processor.FeedTable;
import io.tidewire.processor.OwnedTable;
import io.tidewire.processor.TableId;
import io.tidewire.processor.internals.DecodeException.Kind;
import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.ContentRemoved;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.TrainingProgress;
import io.tidewire.schemas.avro.UserEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappersTest {

  private static final OwnedTable GENERATION = OwnedTable.parse("public.generation_jobs:user_id:generation.progress");
  private static final OwnedTable TRAINING = OwnedTable.parse("public.training_jobs:user_id:training.progress");
  private static final OwnedTable CREDITS = OwnedTable.parse("public.credit_transactions:user_id");
  private static final FeedTable VIDEOS = FeedTable.parse("public.videos:video");

  private static ChangeEnvelope change(final TableId table, final Envelopes envelope) {
    return EnvelopeDecoder.decode(table, Envelopes.idKey("k"), envelope.bytes());
  }

  private static Map<String, Object> job(final String status, final int progress) {
    return row("id", "j1", "user_id", "u1", "kind", "video", "status", status, "progress", progress,
        "prompt", "a cat", "error", null, "result_url", null);
  }

  @Test
  void generationJobRowsBecomeGenerationProgressForTheOwner() {
    final UserEvent event = new UserEventMapper(GENERATION).map(change(GENERATION.table(),
        Envelopes.update("public.generation_jobs", job("active", 40), row(
            "id", "j1", "user_id", "u1", "kind", "video", "status", "completed", "progress", 100,
            "error", null, "result_url", "https://cdn/x.mp4")).lsn(42).txId(7).tsMs(1_000))).get(0).event();

    assertThat(event.getUserId()).isEqualTo("u1");
    assertThat(event.getType()).isEqualTo("generation.progress");
    assertThat(event.getTs()).isEqualTo(1_000);
    assertThat(event.getSource().getLsn()).isEqualTo(42L);
    assertThat(event.getSource().getTxId()).isEqualTo(7L);
    assertThat(event.getData()).isEqualTo(GenerationProgress.newBuilder().setJobId("j1").setKind("video")
        .setStatus("completed").setProgress(100).setError(null).setResultUrl("https://cdn/x.mp4").build());
  }

  @Test
  void deletedJobsYieldNoEvent() {
    assertThat(new UserEventMapper(GENERATION).map(change(GENERATION.table(),
        Envelopes.delete("public.generation_jobs", job("completed", 100))))).isEmpty();
    assertThat(new UserEventMapper(TRAINING).map(change(TRAINING.table(),
        Envelopes.delete("public.training_jobs", row("id", "t1", "user_id", "u1", "status", "failed"))))).isEmpty();
  }

  @Test
  void trainingProgressIsDerivedFromSteps() {
    final UserEvent event = new UserEventMapper(TRAINING).map(change(TRAINING.table(),
        Envelopes.insert("public.training_jobs", row("id", "t1", "user_id", "u1", "status", "active",
            "step", 333, "total_steps", 1000, "error", null, "model_id", null)))).get(0).event();

    assertThat(event.getData()).isEqualTo(TrainingProgress.newBuilder().setJobId("t1").setStatus("active")
        .setStep(333).setTotalSteps(1000).setProgress(33).setError(null).setModelId(null).build());
  }

  @Test
  void trainingProgressDerivation() {
    assertThat(TrainingProgressMapper.progress("active", 0, 0)).isZero();
    assertThat(TrainingProgressMapper.progress("waiting", 5, 0)).isZero();
    assertThat(TrainingProgressMapper.progress("active", 1, 3)).isEqualTo(33);
    assertThat(TrainingProgressMapper.progress("active", 2, 3)).isEqualTo(66);
    assertThat(TrainingProgressMapper.progress("active", 999, 1000)).isEqualTo(99);
    assertThat(TrainingProgressMapper.progress("active", 1000, 1000)).isEqualTo(100);
    assertThat(TrainingProgressMapper.progress("active", 1500, 1000)).isEqualTo(100);
    assertThat(TrainingProgressMapper.progress("active", -5, 1000)).isZero();
    assertThat(TrainingProgressMapper.progress("completed", 10, 1000)).isEqualTo(100);
    assertThat(TrainingProgressMapper.progress("completed", 0, 0)).isEqualTo(100);
    assertThat(TrainingProgressMapper.progress("failed", 500, 1000)).isEqualTo(50);
    assertThat(TrainingProgressMapper.progress("active", Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(100);
  }

  @Test
  void genericTablesCarryTheRowAsJson() {
    final UserEvent event = new UserEventMapper(CREDITS).map(change(CREDITS.table(),
        Envelopes.insert("public.credit_transactions", row("id", "c1", "user_id", "u1", "amount", -25,
            "reason", "generation", "created_at", "2026-11-27T02:30:00.123456Z")))).get(0).event();

    assertThat(event.getType()).isEqualTo("row.credit_transactions");
    assertThat(event.getData()).isEqualTo(RowChange.newBuilder().setTable("public.credit_transactions")
        .setOp("insert").setRow("{\"id\":\"c1\",\"user_id\":\"u1\",\"amount\":-25,\"reason\":\"generation\","
            + "\"created_at\":\"2026-11-27T02:30:00.123456Z\"}").build());
  }

  @Test
  void genericDeletesCarryTheBeforeRow() {
    final UserEvent event = new UserEventMapper(CREDITS).map(change(CREDITS.table(),
        Envelopes.delete("public.credit_transactions", row("id", "c1", "user_id", "u1")))).get(0).event();

    assertThat(((RowChange) event.getData()).getOp()).isEqualTo("delete");
    assertThat(((RowChange) event.getData()).getRow()).isEqualTo("{\"id\":\"c1\",\"user_id\":\"u1\"}");
  }

  @Test
  void anEventTypeWithoutDedicatedMapperFallsBackToRowChange() {
    final OwnedTable invoices = OwnedTable.parse("app.invoices:customer:invoice.changed");

    final UserEvent event = new UserEventMapper(invoices).map(change(invoices.table(),
        Envelopes.snapshot("app.invoices", row("id", 5, "customer", 77)))).get(0).event();

    assertThat(UserDataMapper.hasDedicatedMapper(invoices)).isFalse();
    assertThat(event.getType()).isEqualTo("row.invoices");
    assertThat(event.getUserId()).as("integer owner ids are rendered as text").isEqualTo("77");
    assertThat(((RowChange) event.getData()).getOp()).isEqualTo("snapshot");
  }

  @Test
  void aMissingOwnerIsAnError() {
    final DecodeException e = catchThrowableOfType(DecodeException.class, () -> new UserEventMapper(CREDITS)
        .map(change(CREDITS.table(), Envelopes.insert("public.credit_transactions", row("id", "c1", "amount", 5)))));

    assertThat(e.kind()).isEqualTo(Kind.MISSING_OWNER);
    assertThat(e.reason()).isEqualTo(
        "missing_owner: owner column user_id is missing, null or empty in the after row of public.credit_transactions");
  }

  @Test
  void wrongColumnTypesAreErrors() {
    final DecodeException e = catchThrowableOfType(DecodeException.class, () -> new UserEventMapper(GENERATION)
        .map(change(GENERATION.table(), Envelopes.insert("public.generation_jobs", row(
            "id", "j1", "user_id", "u1", "kind", "video", "status", "active", "progress", "half")))));

    assertThat(e.reason()).isEqualTo(
        "wrong_type: column progress in the after row of public.generation_jobs should be an integer, got string \"half\"");
  }

  @Test
  void publicInsertsArePublishedWithEpochMillisCreatedAt() {
    final var events = new FeedEventMapper(VIDEOS).map(change(VIDEOS.table(), Envelopes.insert("public.videos",
        row("id", "v1", "user_id", "u1", "is_public", true, "url", "https://cdn/v1.mp4", "caption", null,
            "created_at", "2026-11-27T02:30:00.123456Z"))));

    assertThat(events).singleElement().satisfies(out -> {
      assertThat(out.contentKey()).isEqualTo("video:v1");
      assertThat(out.event().getType()).isEqualTo("feed.content_published");
      assertThat(out.event().getData()).isEqualTo(ContentPublished.newBuilder().setContentType("video")
          .setContentId("v1").setUserId("u1").setUrl("https://cdn/v1.mp4").setCaption(null)
          .setCreatedAt(Instant.parse("2026-11-27T02:30:00.123Z").toEpochMilli()).build());
    });
  }

  @Test
  void timestampsWithOffsetsAreConverted() {
    final var events = new FeedEventMapper(VIDEOS).map(change(VIDEOS.table(), Envelopes.insert("public.videos",
        row("id", "v1", "user_id", "u1", "is_public", true, "created_at", "2026-11-27T03:30:00+01:00"))));

    assertThat(((ContentPublished) events.get(0).event().getData()).getCreatedAt())
        .isEqualTo(Instant.parse("2026-11-27T02:30:00Z").toEpochMilli());
  }

  private static List<String> feedTypes(final Envelopes envelope) {
    return new FeedEventMapper(VIDEOS).map(change(VIDEOS.table(), envelope)).stream()
        .map(out -> out.event().getType() + (out.event().getData() instanceof ContentRemoved removed
            ? ":" + removed.getReason() : ""))
        .toList();
  }

  @Test
  void onlyVisibilityTransitionsYieldFeedEvents() {
    final Map<String, Object> privateRow = row("id", "v1", "user_id", "u1", "is_public", false);
    final Map<String, Object> publicRow = row("id", "v1", "user_id", "u1", "is_public", true);

    assertThat(feedTypes(Envelopes.insert("public.videos", privateRow))).isEmpty();
    assertThat(feedTypes(Envelopes.insert("public.videos", publicRow))).containsExactly("feed.content_published");
    assertThat(feedTypes(Envelopes.snapshot("public.videos", publicRow))).containsExactly("feed.content_published");
    assertThat(feedTypes(Envelopes.update("public.videos", privateRow, publicRow)))
        .containsExactly("feed.content_published");
    assertThat(feedTypes(Envelopes.update("public.videos", publicRow, publicRow))).isEmpty();
    assertThat(feedTypes(Envelopes.update("public.videos", privateRow, privateRow))).isEmpty();
    assertThat(feedTypes(Envelopes.update("public.videos", publicRow, privateRow)))
        .containsExactly("feed.content_removed:private");
    assertThat(feedTypes(Envelopes.update("public.videos", null, publicRow)))
        .as("without a before image there is no visible transition").isEmpty();
    assertThat(feedTypes(Envelopes.update("public.videos", null, privateRow))).isEmpty();
    assertThat(feedTypes(Envelopes.delete("public.videos", publicRow))).containsExactly("feed.content_removed:deleted");
    assertThat(feedTypes(Envelopes.delete("public.videos", privateRow)))
        .as("private content was never published").isEmpty();
  }

  @Test
  void aBadTimestampIsAnError() {
    final DecodeException e = catchThrowableOfType(DecodeException.class, () -> new FeedEventMapper(VIDEOS)
        .map(change(VIDEOS.table(), Envelopes.insert("public.videos",
            row("id", "v1", "user_id", "u1", "is_public", true, "created_at", "yesterday")))));

    assertThat(e.kind()).isEqualTo(Kind.WRONG_TYPE);
    assertThat(e.exceptionClass()).isEqualTo("java.time.format.DateTimeParseException");
  }

  @Test
  void feedTablesNeedIsPublic() {
    final DecodeException e = catchThrowableOfType(DecodeException.class, () -> new FeedEventMapper(VIDEOS)
        .map(change(VIDEOS.table(), Envelopes.insert("public.videos", row("id", "v1", "user_id", "u1")))));

    assertThat(e.reason()).isEqualTo("missing_field: column is_public is missing in the after row of public.videos");
  }
}
