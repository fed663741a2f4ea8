package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tidewire.processor.internals.UserStateProcessor;
import io.tidewire.processor.internals.UserStateValue;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.ActiveJob;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user-state fold in {@code TopologyTestDriver}: balance and unfinished jobs per user, folded
 * from the users, generation_jobs and training_jobs changes into {@code realtime.user-state}.
 */
class UserStateTopologyTest {

  private static final String ALICE = "a11ce000-0000-4000-8000-000000000001";
  private static final String BOB = "b0b00000-0000-4000-8000-000000000002";
  private static final String JOB = "9e000000-0000-4000-8000-0000000000b1";
  private static final String TRAINING = "7a000000-0000-4000-8000-0000000000c1";
  private static final long T0 = 1_764_210_000_000L;
  private static final String REPARTITION = "%s-public.users.user-state-by-user-repartition";

  private TestTopology topology;
  private long lsn = 50_000;
  private long ts = T0;

  @BeforeEach
  void start() {
    topology = TestTopology.start();
  }

  @AfterEach
  void stop() {
    topology.close();
  }

  // ---- inputs ----------------------------------------------------------------------------

  /** The next change in commit order: a higher LSN, one second later. */
  private Envelopes next(final Envelopes change) {
    ts += 1_000;
    return change.lsn(++lsn).tsMs(ts);
  }

  private static Map<String, Object> user(final String id, final long credits) {
    return row("id", id, "email", id + "@example.com", "display_name", "someone", "credits", credits,
        "created_at", "2026-11-27T02:30:00Z", "updated_at", "2026-11-27T02:30:00Z");
  }

  private static Map<String, Object> generation(final String id, final String owner, final String status,
      final int progress) {
    return row("id", id, "user_id", owner, "kind", "video", "status", status, "progress", progress,
        "prompt", "a lighthouse", "error", null, "result_url", null,
        "created_at", "2026-11-27T02:30:00Z", "updated_at", "2026-11-27T02:30:00Z");
  }

  private static Map<String, Object> training(final String id, final String owner, final String status,
      final int step, final int totalSteps) {
    return row("id", id, "user_id", owner, "status", status, "step", step, "total_steps", totalSteps,
        "error", null, "model_id", null, "created_at", "2026-11-27T02:30:00Z",
        "updated_at", "2026-11-27T02:30:00Z");
  }

  private Envelopes newUser(final String id, final long credits) {
    final Envelopes change = next(Envelopes.insert("public.users", user(id, credits)));
    topology.pipe("public.users", id, change);
    return change;
  }

  /** A balance change with its credit transaction row, written in one PostgreSQL transaction. */
  private Envelopes balance(final String id, final long before, final long after) {
    final long txId = lsn;
    final String transaction = "tx-" + txId;
    topology.pipe("public.credit_transactions", transaction, next(Envelopes.insert("public.credit_transactions",
        row("id", transaction, "user_id", id, "amount", after - before, "reason", "test",
            "created_at", "2026-11-27T02:30:00Z")).txId(txId)));
    final Envelopes change = next(Envelopes.update("public.users", user(id, before), user(id, after)))
        .txId(txId);
    topology.pipe("public.users", id, change);
    return change;
  }

  private Envelopes job(final Map<String, Object> before, final Map<String, Object> after) {
    final Envelopes change = next(before == null ? Envelopes.insert("public.generation_jobs", after)
        : Envelopes.update("public.generation_jobs", before, after));
    topology.pipe("public.generation_jobs", (String) after.get("id"), change);
    return change;
  }

  // ---- outputs ---------------------------------------------------------------------------

  private List<KeyValue<String, UserState>> states() {
    return topology.userStates.readKeyValuesToList();
  }

  private UserState lastState() {
    final List<KeyValue<String, UserState>> states = states();
    assertThat(states).isNotEmpty();
    return states.get(states.size() - 1).value;
  }

  private KeyValueStore<String, UserStateValue> store() {
    return topology.driver.getKeyValueStore(UserStateProcessor.STORE);
  }

  private static ActiveJob videoJob(final String id, final String status, final int progress, final long at) {
    return ActiveJob.newBuilder().setJobId(id).setKind("generation").setGenerationKind("video")
        .setStatus(status).setProgress(progress).setUpdatedAt(at).build();
  }

  // ---- tests -----------------------------------------------------------------------------

  @Test
  void aNewUserStartsWithTheBalanceOfTheirRow() {
    newUser(ALICE, 100);

    assertThat(states()).singleElement().satisfies(kv -> {
      assertThat(kv.key).isEqualTo(ALICE);
      assertThat(kv.value).isEqualTo(UserState.newBuilder().setUserId(ALICE).setBalance(100L)
          .setActiveJobs(List.of()).setUpdatedAt(ts).build());
    });
  }

  @Test
  void balanceUpdatesReplaceTheBalanceAndOtherColumnsChangeNothing() {
    newUser(ALICE, 100);
    balance(ALICE, 100, 93);
    final long at = ts;
    balance(ALICE, 93, 93);

    assertThat(states()).extracting(kv -> kv.value.getBalance(), kv -> kv.value.getUpdatedAt())
        .containsExactly(tuple(100L, T0 + 1_000),
            tuple(93L, at));
  }

  @Test
  void aGenerationJobIsActiveUntilItCompletes() {
    newUser(ALICE, 100);
    states();
    job(null, generation(JOB, ALICE, "waiting", 0));
    final long queuedAt = ts;
    assertThat(lastState().getActiveJobs()).containsExactly(videoJob(JOB, "waiting", 0, queuedAt));

    job(generation(JOB, ALICE, "waiting", 0), generation(JOB, ALICE, "active", 40));
    final long activeAt = ts;
    final UserState active = lastState();
    assertThat(active.getActiveJobs()).containsExactly(videoJob(JOB, "active", 40, activeAt));
    assertThat(active.getBalance()).as("the balance stays").isEqualTo(100L);
    assertThat(active.getUpdatedAt()).isEqualTo(activeAt);

    job(generation(JOB, ALICE, "active", 40), generation(JOB, ALICE, "completed", 100));
    final UserState done = lastState();
    assertThat(done.getActiveJobs()).isEmpty();
    assertThat(done.getBalance()).isEqualTo(100L);
    assertThat(done.getUpdatedAt()).isEqualTo(ts);
    assertThat(store().get(ALICE).activeJobs()).isEmpty();
  }

  @Test
  void aFailedOrDeletedJobLeavesTheActiveJobs() {
    job(null, generation(JOB, ALICE, "active", 10));
    job(null, generation("second", ALICE, "waiting", 0));
    job(generation(JOB, ALICE, "active", 10), generation(JOB, ALICE, "failed", 10));
    assertThat(lastState().getActiveJobs()).extracting(ActiveJob::getJobId).containsExactly("second");

    final Envelopes delete = next(Envelopes.delete("public.generation_jobs",
        generation("second", ALICE, "waiting", 0)));
    topology.pipe("public.generation_jobs", "second", delete);
    topology.cdc("public.generation_jobs").pipeInput(Envelopes.idKey("second"), (byte[]) null);

    final UserState state = lastState();
    assertThat(state.getActiveJobs()).isEmpty();
    assertThat(state.getBalance()).as("no users row seen").isNull();
  }

  @Test
  void aTrainingJobCarriesItsStepsAndDerivedProgress() {
    newUser(ALICE, 100);
    final Envelopes insert = next(Envelopes.insert("public.training_jobs",
        training(TRAINING, ALICE, "active", 300, 1000)));
    topology.pipe("public.training_jobs", TRAINING, insert);

    assertThat(lastState().getActiveJobs()).containsExactly(ActiveJob.newBuilder().setJobId(TRAINING)
        .setKind("training").setGenerationKind(null).setStatus("active").setProgress(30).setStep(300)
        .setTotalSteps(1000).setUpdatedAt(ts).build());

    topology.pipe("public.training_jobs", TRAINING, next(Envelopes.update("public.training_jobs",
        training(TRAINING, ALICE, "active", 300, 1000), training(TRAINING, ALICE, "active", 999, 1000))));
    assertThat(lastState().getActiveJobs()).singleElement().satisfies(job -> {
      assertThat(job.getProgress()).isEqualTo(99);
      assertThat(job.getStep()).isEqualTo(999);
    });

    topology.pipe("public.training_jobs", TRAINING, next(Envelopes.update("public.training_jobs",
        training(TRAINING, ALICE, "active", 999, 1000), training(TRAINING, ALICE, "completed", 1000, 1000))));
    assertThat(lastState().getActiveJobs()).isEmpty();
  }

  @Test
  void twoUsersStatesDoNotMix() {
    newUser(ALICE, 100);
    newUser(BOB, 5);
    job(null, generation(JOB, ALICE, "active", 40));
    balance(BOB, 5, 7);

    final List<KeyValue<String, UserState>> states = states();
    assertThat(states).allSatisfy(kv -> assertThat(kv.value.getUserId()).isEqualTo(kv.key));
    assertThat(store().get(ALICE).balance()).contains(100L);
    assertThat(store().get(ALICE).activeJobs()).extracting(UserStateValue.Job::jobId).containsExactly(JOB);
    assertThat(store().get(BOB).balance()).contains(7L);
    assertThat(store().get(BOB).activeJobs()).isEmpty();
    assertThat(states.get(states.size() - 1).key).isEqualTo(BOB);
    assertThat(states.get(states.size() - 1).value.getActiveJobs()).isEmpty();
  }

  @Test
  void aRedeliveredChangeDoesNotAlterTheState() {
    newUser(ALICE, 100);
    final Envelopes active = job(null, generation(JOB, ALICE, "active", 40));
    job(generation(JOB, ALICE, "active", 40), generation(JOB, ALICE, "active", 41));
    final Envelopes spend = balance(ALICE, 100, 93);
    states();

    // the capture delivers an older job change and the balance change again
    topology.pipe("public.generation_jobs", JOB, active);
    topology.pipe("public.users", ALICE, spend);

    assertThat(states()).as("no new state").isEmpty();
    assertThat(store().get(ALICE).activeJobs()).singleElement()
        .satisfies(job -> assertThat(job.progress()).isEqualTo(41));
    assertThat(store().get(ALICE).balance()).contains(93L);
    assertThat(topology.counter("tidewire.processor.duplicates", "table", "public.generation_jobs")).isEqualTo(1);
  }

  @Test
  void aDeletedUserLeavesATombstone() {
    newUser(ALICE, 100);
    job(null, generation(JOB, ALICE, "active", 40));
    states();

    topology.pipe("public.users", ALICE, next(Envelopes.delete("public.users", user(ALICE, 100))));
    topology.cdc("public.users").pipeInput(Envelopes.idKey(ALICE), (byte[]) null);

    assertThat(states()).singleElement().satisfies(kv -> {
      assertThat(kv.key).isEqualTo(ALICE);
      assertThat(kv.value).isNull();
    });
    assertThat(store().get(ALICE)).isNull();
    // the job's delete, arriving after the user's, has no state to change
    topology.pipe("public.generation_jobs", JOB, next(Envelopes.delete("public.generation_jobs",
        generation(JOB, ALICE, "active", 40))));
    assertThat(states()).isEmpty();
    assertThat(topology.counter("tidewire.processor.user.states", "outcome", "deleted")).isEqualTo(1);
  }

  @Test
  void snapshotReadsAreState() {
    topology.pipe("public.users", ALICE, next(Envelopes.snapshot("public.users", user(ALICE, 42)).noLsn()));
    topology.pipe("public.generation_jobs", JOB, next(Envelopes.snapshot("public.generation_jobs",
        generation(JOB, ALICE, "active", 70)).noLsn()));
    topology.pipe("public.generation_jobs", "old", next(Envelopes.snapshot("public.generation_jobs",
        generation("old", ALICE, "completed", 100)).noLsn()));

    final UserState state = lastState();
    assertThat(state.getBalance()).isEqualTo(42L);
    assertThat(state.getActiveJobs()).extracting(ActiveJob::getJobId, ActiveJob::getProgress)
        .containsExactly(tuple(JOB, 70));
  }

  @Test
  void aStateHoldsABoundedNumberOfJobsSoItStaysSmall() {
    final int max = UserStateValue.MAX_ACTIVE_JOBS;
    for (int i = 0; i < max + 5; i++) {
      job(null, generation("job-" + i, ALICE, "waiting", 0));
    }
    assertThat(lastState().getActiveJobs()).hasSize(max);
    assertThat(topology.userEvents.readValuesToList()).as("every job's events still go out")
        .hasSize(max + 5);

    job(generation("job-0", ALICE, "waiting", 0), generation("job-0", ALICE, "completed", 100));
    job(generation("job-" + max, ALICE, "waiting", 0), generation("job-" + max, ALICE, "active", 5));
    assertThat(lastState().getActiveJobs()).hasSize(max)
        .extracting(ActiveJob::getJobId).doesNotContain("job-0").contains("job-" + max);
  }

  @Test
  void aJobGivenToAnotherUserMovesBetweenTheirStates() {
    job(null, generation(JOB, ALICE, "active", 40));
    job(generation(JOB, ALICE, "active", 40), generation(JOB, BOB, "active", 40));

    assertThat(store().get(ALICE).activeJobs()).isEmpty();
    assertThat(store().get(BOB).activeJobs()).extracting(UserStateValue.Job::jobId).containsExactly(JOB);
  }

  @Test
  void aUsersChangesFoldTheSameWhetherReadInTheirOwnPartitionOrRepartitioned() {
    // the driver reads every input from partition 0: one user's changes are in place there, the
    // other's take the repartition topic, as an owner change's old owner or an unpartitioned table would
    final int partitions = topology.config.topicPartitions();
    final String here = userIn(partitions, true);
    final String elsewhere = userIn(partitions, false);
    job(null, generation("job-here", here, "active", 10));
    job(null, generation("job-elsewhere", elsewhere, "active", 20));

    assertThat(store().get(here).activeJobs()).extracting(UserStateValue.Job::jobId).containsExactly("job-here");
    assertThat(store().get(elsewhere).activeJobs()).extracting(UserStateValue.Job::jobId)
        .containsExactly("job-elsewhere");
    assertThat(topology.userEvents.readValuesToList()).extracting(UserEvent::getUserId)
        .containsExactlyInAnyOrder(here, elsewhere);
    assertThat(topology.registry.get("tidewire.processor.user.inputs").tag("table", "public.generation_jobs")
        .tag("path", "direct").counter().count()).isEqualTo(1);
    assertThat(topology.registry.get("tidewire.processor.user.inputs").tag("table", "public.generation_jobs")
        .tag("path", "repartition").counter().count()).isEqualTo(1);
  }

  /** A user id whose partition among {@code partitions} is 0 ({@code inZero}) or not. */
  private static String userIn(final int partitions, final boolean inZero) {
    for (int i = 0; ; i++) {
      final String user = String.format("00000000-0000-4000-8000-%012d", i);
      if ((Topics.partitionOf(user, partitions) == 0) == inZero) {
        return user;
      }
    }
  }

  @Test
  void stateChangingEventsAreWrittenByTheTaskThatWritesTheState() {
    final TopologyDescription description = TopologyFactory.build(topology.config).describe();
    final List<TopologyDescription.Subtopology> writingState = description.subtopologies().stream()
        .filter(sub -> sinks(sub).contains("realtime.user-state")).toList();

    // job events and credits.updated leave in the transaction that writes the state they change;
    // the tables that feed the fold and the credits join are read in that same task (one hop)
    assertThat(writingState).singleElement().satisfies(sub -> {
      assertThat(sinks(sub)).contains("realtime.user-events", "realtime.user-state")
          .allSatisfy(sink -> assertThat(sink).matches(
              "realtime\\.(user-events|user-state|dlq)|public\\.[a-z_]+\\.(user-state|credits)-by-user-repartition"));
      assertThat(sub.nodes()).extracting(TopologyDescription.Node::name)
          .contains("public.users.source", "public.generation_jobs.source", "public.training_jobs.source",
              "public.credit_transactions.source", "public.generation_jobs.user-state-input.placement",
              "public.generation_jobs.user-state-input.direct",
              "credits.join", "credits.user-state-input", "user.fold", "user.user-events-sink",
              "user.state-sink", "public.users.user-state-by-user-repartition-source",
              "public.generation_jobs.user-state-by-user-repartition-source",
              "public.training_jobs.user-state-by-user-repartition-source");
    });
    assertThat(description.subtopologies()).filteredOn(sub -> !writingState.contains(sub))
        .allSatisfy(sub -> assertThat(sub.nodes()).extracting(TopologyDescription.Node::name)
            .doesNotContain("credits.user-events-sink"));
    // the job tables' own user-events sinks carry their row.<table> events only (RowChangesTopologyTest)
    final TopologyDescription withoutRows = TopologyFactory.build(new ProcessorConfig(
        topology.config.kafka(), topology.config.applicationId(), topology.config.stateDir(),
        topology.config.commitInterval(), topology.config.quietCommit(), topology.config.streamThreads(),
        topology.config.shutdownTimeout(),
        topology.config.ownedTables(), topology.config.feedTables(), topology.config.balanceTable(),
        topology.config.transactionTable(), topology.config.reactionTables(), topology.config.timings(),
        true, false, topology.config.streamsOverrides())).describe();
    assertThat(withoutRows.subtopologies()).allSatisfy(sub -> assertThat(sub.nodes())
        .extracting(TopologyDescription.Node::name)
        .doesNotContain("public.generation_jobs.user-events-sink", "public.training_jobs.user-events-sink"));
    assertThat(description.toString())
        .contains("stores: [user.state]", "stores: [credits.pending]")
        .doesNotContain("public.videos.user-state", "public.likes.user-state",
            "public.credit_transactions.user-state");
  }

  private static List<String> sinks(final TopologyDescription.Subtopology sub) {
    return sub.nodes().stream().filter(node -> node instanceof TopologyDescription.Sink)
        .map(node -> ((TopologyDescription.Sink) node).topic()).distinct().toList();
  }

  @Test
  void eachChangeSendsItsEventsThenTheState() {
    newUser(ALICE, 100);
    job(null, generation(JOB, ALICE, "active", 40));

    assertThat(topology.userEvents.readValuesToList()).singleElement()
        .satisfies(event -> assertThat(event.getType()).isEqualTo("generation.progress"));
    assertThat(lastState().getActiveJobs()).extracting(ActiveJob::getProgress).containsExactly(40);
  }

  @Test
  void aBalanceChangeIsStateAtOnceEvenWhileItsCreditsUpdatedWaits() {
    newUser(ALICE, 100);
    states();
    // no credit transaction row: credits.updated waits for one, the state does not
    topology.pipe("public.users", ALICE, next(Envelopes.update("public.users", user(ALICE, 100),
        user(ALICE, 93))));

    assertThat(lastState().getBalance()).isEqualTo(93L);
    assertThat(topology.userEvents.readValuesToList()).isEmpty();

    topology.advance(Duration.ofSeconds(3));
    assertThat(topology.userEvents.readValuesToList()).extracting(e -> e.getType())
        .containsExactly("credits.updated");
    assertThat(states()).as("the same change again: no new state").isEmpty();
  }

  @Test
  void anOlderBalanceNeverReplacesANewerOne() {
    newUser(ALICE, 100);
    lsn += 10;
    balance(ALICE, 100, 93);
    states();
    // a starting balance that comes after a later change's balance: its LSN is older
    topology.pipe("public.users", ALICE, Envelopes.insert("public.users", user(ALICE, 100))
        .lsn(lsn - 5).tsMs(ts - 500));

    assertThat(states()).as("no change").isEmpty();
    assertThat(store().get(ALICE).balance()).contains(93L);
    assertThat(topology.userEvents.readValuesToList()).extracting(e -> e.getType())
        .containsExactly("credits.updated");
  }

  // ---- internal records ------------------------------------------------------------------

  /** The repartition topic of the users table's user-state inputs, as Kafka Streams names it. */
  private TestInputTopic<String, byte[]> userStateRepartition() {
    return topology.driver.createInputTopic(REPARTITION.formatted(topology.config.applicationId()),
        new StringSerializer(), new ByteArraySerializer());
  }

  @Test
  void aChangeLeftOnARepartitionTopicByAnEarlierVersionIsStillFolded() {
    final UserEvent credits = UserEvent.newBuilder().setId("e1").setUserId(ALICE).setType("credits.updated")
        .setTs(ts).setSource(SourcePosition.newBuilder().setTable("public.users").setLsn(7L).setTxId(3L)
            .setSnapshot(false).build())
        .setData(CreditsUpdated.newBuilder().setBalance(70).setDelta(-30).build()).build();
    // what JsonSerde wrote before issue #10: JSON, the events' Avro bytes in base64
    final String json = "{\"state\":{\"type\":\"balance\",\"balance\":70,\"lsn\":7,\"ts\":" + ts
        + "},\"events\":[\"" + Base64.getEncoder().encodeToString(
            Topics.USER_EVENTS.valueSerde().serializer().serialize("t", credits)) + "\"]}";

    userStateRepartition().pipeInput(ALICE, json.getBytes(StandardCharsets.UTF_8));

    assertThat(topology.userEvents.readValuesToList()).containsExactly(credits);
    assertThat(lastState().getBalance()).isEqualTo(70L);
    assertThat(topology.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void anUnreadableRecordOnARepartitionTopicIsCountedAndTheFoldGoesOn() {
    // It goes to realtime.dlq too (DeserializationDeadLetters; ProcessorAppTest shows it), but
    // the driver's mock producer cannot place a record without a partition, so it is not seen here.
    userStateRepartition().pipeInput(ALICE, new byte[] {(byte) 0xD9, (byte) 0xD9, (byte) 0xF7, 0x01});
    newUser(BOB, 5);

    assertThat(states()).extracting(kv -> kv.key).containsExactly(BOB);
    assertThat(topology.counter("tidewire.processor.dead.letters", "failure", "unreadable")).isEqualTo(1);
  }

  @Test
  void theUserStateCanBeTurnedOff() {
    topology.close();
    topology = TestTopology.start("TIDEWIRE_PROCESSOR_USER_STATE", "false");

    assertThat(TopologyFactory.build(topology.config).describe().toString())
        .doesNotContain("user-state", "user.")
        .contains("public.generation_jobs.user-events-sink", "credits.user-events-sink");
    newUser(ALICE, 100);
    job(null, generation(JOB, ALICE, "active", 40));
    assertThat(states()).isEmpty();
    assertThat(topology.userEvents.readValuesToList()).hasSize(1);
    assertThat(topology.config.outputTopics()).doesNotContain(Topics.USER_STATE);
  }
}
