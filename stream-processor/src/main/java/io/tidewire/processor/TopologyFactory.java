package io.tidewire.processor;

import io.tidewire.processor.internals.ChangeRouterProcessor;
import io.tidewire.processor.internals.ContentInput;
import io.tidewire.processor.internals.ContentStateProcessor;
import io.tidewire.processor.internals.CreditsInput;
import io.tidewire.processor.internals.CreditsJoinProcessor;
import io.tidewire.processor.internals.Deduplicator;
import io.tidewire.processor.internals.JobStateMapper;
import io.tidewire.processor.internals.Placement;
import io.tidewire.processor.internals.InternalSerde;
import io.tidewire.processor.internals.QuietCommits;
import io.tidewire.processor.internals.RowChangeMapper;
import io.tidewire.processor.internals.Routed;
import io.tidewire.processor.internals.Routed.Output;
import io.tidewire.processor.internals.TableRouter;
import io.tidewire.processor.internals.UserDataMapper;
import io.tidewire.processor.internals.UserChange;
import io.tidewire.processor.internals.UserStateInput;
import io.tidewire.processor.internals.UserStateProcessor;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the processor's topology from its configuration: a pure function, no I/O, so tests run
 * it in {@code TopologyTestDriver} and {@link ProcessorApp} runs it in Kafka Streams.
 *
 * <p>One sub-topology per configured table (its partitions are tasks of their own; adding a table
 * renames nothing), named after the table; then one per stateful feature, fed through
 * repartition topics. The features keyed by user (credits join, user-state fold) are fed directly
 * ({@code S.T.<feature>-input.placement} → {@code .direct}) when a record was read in its user's
 * partition, which the capture makes the rule by partitioning owned tables by owner; only the
 * other inputs ({@code .elsewhere}) take the repartition topic. So the tables that feed them share
 * one sub-topology with them: one hop, one transaction (docs/ARCHITECTURE.md, "One hop").
 *
 * <pre>
 * cdc.S.T ─▶ S.T.source ─▶ S.T.route   decode, de-duplicate (store S.T.dedup), map; never throws
 *                             └─▶ S.T.to-* (split)
 *                                  ├─ user-events ─▶ S.T.user-event ─▶ S.T.user-events-sink ─▶ realtime.user-events
 *                                  ├─ feed-events ─▶ S.T.feed-event ─▶ S.T.feed-events-sink ─▶ realtime.feed-events
 *                                  ├─ public-changes ─▶ S.T.public-change ─▶ S.T.public-changes-sink ─▶ realtime.public-changes
 *                                  ├─ content-access ─▶ S.T.content-access ─▶ S.T.content-access-sink ─▶ realtime.content-access
 *                                  ├─ credits     ─▶ S.T.credits-input ─▶ .placement ─▶ .direct ─▶ credits.merge-N
 *                                  │                                                └▶ .elsewhere ─▶ S.T.credits-by-user (repartition, key user)
 *                                  ├─ content     ─▶ S.T.content-input ─▶ S.T.by-content      (repartition, key type:id)
 *                                  ├─ user-state  ─▶ S.T.user-state-input ─▶ .placement ─▶ .direct ─▶ user.merge-N
 *                                  │                                                   └▶ .elsewhere ─▶ S.T.user-state-by-user (repartition)
 *                                  └─ dead-letter ─▶ S.T.dead-letter ─▶ S.T.dead-letter-sink ─▶ realtime.dlq
 *
 * *.credits-by-user    ─▶ credits.merge-N ─▶ credits.join (store credits.pending) ─▶ credits.user-state-input ─┐
 * *.user-state-by-user ─▶ user.merge-N (with credits.user-state-input) ◀─────────────────────────────────────┘
 *                           └─▶ user.fold (store user.state) ─▶ user.fold.to-* ─▶ user.user-events-sink (job events, credits.updated)
 *                                                                         └─▶ user.state-sink ─▶ realtime.user-state
 * *.by-content         ─▶ feed.merge-N ─▶ feed.content-state (stores feed.content, feed.timers)
 *                           └─▶ feed.content-state.to-* ─▶ feed.user-events-sink (notifications)
 *                                                      ├─▶ feed.feed-events-sink (feed.counts)
 *                                                      └─▶ feed.public-changes-sink (reaction rows)
 * </pre>
 *
 * <p>A table gets the branches of its roles: owned tables user events, feed tables feed events
 * and content access (owner and visibility per row, a tombstone once deleted) (and content rows when reaction tables are configured), the credit balance and transaction
 * tables the credits branch, reaction tables the content branch. With the user state on (the
 * default) the balance table also gets the user-state branch, and generation/training job tables
 * get it instead of the user-events branch: their events, like {@code credits.updated}, are sent
 * by the fold in the same transaction as the state they change; credits join and fold are then
 * one sub-topology. With it off, credits join and job tables send their events themselves. With
 * the row changes on (the default), owned, balance and transaction tables also get the
 * user-events branch for their {@code row.<table>} events, feed tables the public-changes branch,
 * and reaction tables send their rows to the content state, which publishes them while their
 * content is public. Every
 * change passes the de-duplication of its table first, so a redelivered change reaches no event
 * and no state.
 *
 * <p>Thread-safe (stateless); each call returns a new topology.
 */
public final class TopologyFactory {

  private static final Logger LOG = LoggerFactory.getLogger(TopologyFactory.class);

  private TopologyFactory() {}

  /** The topology, with metrics that record nothing. */
  public static Topology build(final ProcessorConfig config) {
    return build(config, ProcessorMetrics.noop());
  }

  /** The topology, counting events, dead letters, duplicates and tombstones in {@code metrics}. */
  public static Topology build(final ProcessorConfig config, final ProcessorMetrics metrics) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    // The topology carries the Streams settings that shape it, e.g. enforced explicit naming.
    final StreamsBuilder builder = new StreamsBuilder(
        new TopologyConfig(new StreamsConfig(StreamsProperties.streams(config))));
    final Features features = new Features();
    final QuietCommits quiet = QuietCommits.after(config.quietCommit(), config.commitInterval(),
        metrics::quietCommitAsked);
    for (final TableRouter router : routers(config).values()) {
      addTable(builder, config, router, metrics, quiet, features);
    }
    if (!features.credits.isEmpty()) {
      addCreditsJoin(merge(features.credits, "credits.merge"), config, metrics, quiet, features);
    }
    if (!features.content.isEmpty()) {
      addContentState(merge(features.content, "feed.merge"), config, metrics, quiet);
    }
    if (!features.userState.isEmpty()) {
      addUserState(merge(features.userState, "user.merge"), metrics, quiet);
    }
    return builder.build();
  }

  /** The repartitioned inputs of the stateful features, collected while adding tables. */
  private static final class Features {
    final List<KStream<String, CreditsInput>> credits = new ArrayList<>();
    final List<KStream<String, ContentInput>> content = new ArrayList<>();
    final List<KStream<String, UserChange>> userState = new ArrayList<>();
  }

  private static Map<TableId, TableRouter> routers(final ProcessorConfig config) {
    final Map<TableId, TableRouter.Builder> builders = new LinkedHashMap<>();
    // tables whose every change already is a row.<table> event: none gets a second one
    final Set<TableId> rows = new HashSet<>();
    for (final OwnedTable t : config.ownedTables()) {
      final Optional<JobStateMapper.Kind> jobs =
          config.userState() ? JobStateMapper.Kind.of(t) : Optional.empty();
      if (jobs.isPresent()) {
        // the job's events leave with the user state they change, from the user-state fold
        builder(builders, t.table()).jobState(t, jobs.get());
      } else {
        builder(builders, t.table()).owned(t);
      }
      if (t.eventType().isPresent() && !UserDataMapper.hasDedicatedMapper(t)) {
        LOG.info("{}: event type '{}' has no dedicated mapper; emitting generic {} events",
            t.table(), t.eventType().get(), RowChangeMapper.typeOf(t.table()));
      }
      if (!UserDataMapper.hasDedicatedMapper(t)) {
        rows.add(t.table());
      }
    }
    if (config.rowChanges()) {
      for (final OwnedTable t : config.ownedTables()) {
        rows(builders, rows, t.table(), t.ownerColumn());
      }
      config.balanceTable().ifPresent(t -> rows(builders, rows, t.table(), t.userColumn()));
      config.transactionTable().ifPresent(t -> rows(builders, rows, t.table(), t.userColumn()));
    }
    for (final FeedTable t : config.feedTables()) {
      builder(builders, t.table()).feed(t);
      builder(builders, t.table()).contentAccess(t);
      if (!config.reactionTables().isEmpty()) {
        builder(builders, t.table()).content(t);
      }
      if (config.rowChanges()) {
        builder(builders, t.table()).publicRows(t);
      }
    }
    config.balanceTable().ifPresent(t -> builder(builders, t.table()).balance(t));
    config.transactionTable().ifPresent(t -> builder(builders, t.table()).transactions(t));
    for (final ReactionTable t : config.reactionTables()) {
      builder(builders, t.table()).reactions(t);
      if (config.rowChanges()) {
        builder(builders, t.table()).reactionRows(t);
      }
    }
    if (config.userState()) {
      config.balanceTable().ifPresent(t -> builder(builders, t.table()).balanceState(t));
    }
    final Map<TableId, TableRouter> routers = new LinkedHashMap<>();
    builders.forEach((table, b) -> routers.put(table, b.build()));
    return routers;
  }

  /** Adds the row.<table> role to {@code table} unless it has it already. */
  private static void rows(final Map<TableId, TableRouter.Builder> builders, final Set<TableId> rows,
      final TableId table, final String ownerColumn) {
    if (rows.add(table)) {
      builder(builders, table).rows(table, ownerColumn);
    }
  }

  private static TableRouter.Builder builder(final Map<TableId, TableRouter.Builder> builders,
      final TableId table) {
    return builders.computeIfAbsent(table, TableRouter::builder);
  }

  private static void addTable(final StreamsBuilder builder, final ProcessorConfig config,
      final TableRouter router, final ProcessorMetrics metrics, final QuietCommits quiet,
      final Features features) {
    final String name = router.table().qualified();
    final String dedupStore = name + ".dedup";
    final KStream<String, Routed> routed = builder
        .stream(router.table().topic(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + ".source"))
        .process(withStores(() -> new ChangeRouterProcessor(router, metrics, dedupStore, quiet),
            Deduplicator.store(dedupStore, config.timings().dedupWindow())), Named.as(name + ".route"));

    final BranchedKStream<String, Routed> split = routed.split(Named.as(name + ".to-"));
    if (router.routesTo(Output.USER_EVENTS)) {
      branch(split, Output.USER_EVENTS, "user-events", events -> toUserEvents(events, name));
    }
    if (router.routesTo(Output.FEED_EVENTS)) {
      branch(split, Output.FEED_EVENTS, "feed-events", events -> toFeedEvents(events, name));
    }
    if (router.routesTo(Output.PUBLIC_CHANGES)) {
      branch(split, Output.PUBLIC_CHANGES, "public-changes", events -> toPublicChanges(events, name));
    }
    if (router.routesTo(Output.CONTENT_ACCESS)) {
      branch(split, Output.CONTENT_ACCESS, "content-access", access -> access
          .mapValues(value -> ((Routed.Access) value).access().orElse(null), Named.as(name + ".content-access"))
          .to(Topics.CONTENT_ACCESS.name(), Produced
              .with(Topics.CONTENT_ACCESS.keySerde(), Topics.CONTENT_ACCESS.valueSerde())
              .withName(name + ".content-access-sink")));
    }
    if (router.routesTo(Output.CREDITS)) {
      toUserFeature(split, Output.CREDITS, "credits", value -> ((Routed.ToCredits) value).input(),
          CreditsInput.class, name, name + ".credits-input", name + ".credits-by-user", features.credits, config,
          metrics);
    }
    if (router.routesTo(Output.CONTENT)) {
      toFeature(split, Output.CONTENT, "content", value -> ((Routed.ToContent) value).input(),
          ContentInput.class, name + ".content-input", name + ".by-content", features.content, config);
    }
    if (router.routesTo(Output.USER_STATE)) {
      toUserFeature(split, Output.USER_STATE, "user-state", value -> ((Routed.ToUserState) value).change(),
          UserChange.class, name, name + ".user-state-input", name + ".user-state-by-user", features.userState,
          config, metrics);
    }
    branch(split, Output.DEAD_LETTER, "dead-letter", records -> records
        .map((key, value) -> {
          final Routed.DeadLetter dead = (Routed.DeadLetter) value;
          return KeyValue.pair(dead.originalKey(), dead.value());
        }, Named.as(name + ".dead-letter"))
        .to(Topics.DEAD_LETTER.name(), Produced
            .with(Topics.DEAD_LETTER.keySerde(), Topics.DEAD_LETTER.valueSerde())
            .withName(name + ".dead-letter-sink")));
    split.noDefaultBranch();
  }

  /** The branch {@code name} of {@code split}: the values that go to {@code output}. */
  private static void branch(final BranchedKStream<String, Routed> split, final Output output,
      final String name, final Consumer<KStream<String, Routed>> then) {
    split.branch((key, value) -> value.output() == output, Branched.withConsumer(then, name));
  }

  /**
   * The branch {@code branch} of {@code split}: unwraps the inputs of a stateful feature
   * ({@code node}) and adds them, re-keyed through the repartition topic {@code repartition}, to
   * that feature's inputs.
   */
  private static <V> void toFeature(final BranchedKStream<String, Routed> split, final Output output,
      final String branch, final ValueMapper<Routed, V> input, final Class<V> type, final String node,
      final String repartition, final List<KStream<String, V>> feature, final ProcessorConfig config) {
    branch(split, output, branch, inputs -> feature.add(inputs
        .mapValues(input, Named.as(node))
        .repartition(repartitioned(repartition, type, config))));
  }

  /**
   * The branch {@code branch} of {@code split}: unwraps the inputs of a feature keyed by user
   * ({@code node}) and adds them to that feature's inputs, directly when the record was read from
   * the user's partition ({@link Placement}: the capture partitions owned tables by owner, so the
   * user's state is in this very task), else re-keyed through the repartition topic
   * {@code repartition}. Both paths meet in the feature's task, so its sub-topology also reads the
   * change topics that feed it directly: they and the repartition topics must be co-partitioned,
   * i.e. have the same partition count, for the direct path to be taken (it is never wrong).
   */
  private static <V> void toUserFeature(final BranchedKStream<String, Routed> split, final Output output,
      final String branch, final ValueMapper<Routed, V> input, final Class<V> type, final String table,
      final String node, final String repartition, final List<KStream<String, V>> feature,
      final ProcessorConfig config, final ProcessorMetrics metrics) {
    final int partitions = config.topicPartitions();
    branch(split, output, branch, inputs -> {
      final BranchedKStream<String, Placement.Placed<V>> placed = inputs
          .mapValues(input, Named.as(node))
          .processValues(() -> new Placement<V>(partitions, table, metrics), Named.as(node + ".placement"))
          .split(Named.as(node + ".placed-"));
      placed.branch((key, value) -> value.here(), Branched.withConsumer(here -> feature.add(here
          .mapValues(Placement.Placed::value, Named.as(node + ".direct"))), "here"));
      placed.defaultBranch(Branched.withConsumer(elsewhere -> feature.add(elsewhere
          .mapValues(Placement.Placed::value, Named.as(node + ".elsewhere"))
          .repartition(repartitioned(repartition, type, config))), "elsewhere"));
    });
  }

  /**
   * The credits join; its {@code credits.updated} go to the user-state fold when the user state is
   * on (the fold sends them with the balance they set), else straight to the user events.
   */
  private static void addCreditsJoin(final KStream<String, CreditsInput> inputs,
      final ProcessorConfig config, final ProcessorMetrics metrics, final QuietCommits quiet,
      final Features features) {
    final KStream<String, UserEvent> events = inputs
        .process(CreditsJoinProcessor.supplier(config.timings().creditsWait(),
            config.timings().creditsTick(), metrics, quiet), Named.as("credits.join"));
    if (config.userState()) {
      features.userState.add(events.mapValues(TopologyFactory::creditsChange,
          Named.as("credits.user-state-input")));
    } else {
      events.to(Topics.USER_EVENTS.name(), Produced
          .with(Topics.USER_EVENTS.keySerde(), Topics.USER_EVENTS.valueSerde())
          .withName("credits.user-events-sink"));
    }
  }

  private static UserChange creditsChange(final UserEvent event) {
    final CreditsUpdated credits = (CreditsUpdated) event.getData();
    return new UserChange(new UserStateInput.Balance(credits.getBalance(),
        Optional.ofNullable(event.getSource().getLsn()), event.getTs()), List.of(event));
  }

  private static void addContentState(final KStream<String, ContentInput> inputs,
      final ProcessorConfig config, final ProcessorMetrics metrics, final QuietCommits quiet) {
    final String name = "feed.content-state";
    final BranchedKStream<String, Routed> split = inputs
        .process(ContentStateProcessor.supplier(config.timings().feedCountsInterval(),
            config.timings().contentWait(), config.timings().contentTick(), metrics, quiet), Named.as(name))
        .split(Named.as(name + ".to-"));
    branch(split, Output.USER_EVENTS, "user-events", events -> toUserEvents(events, "feed"));
    branch(split, Output.FEED_EVENTS, "feed-events", events -> toFeedEvents(events, "feed"));
    if (config.rowChanges()) {
      branch(split, Output.PUBLIC_CHANGES, "public-changes", events -> toPublicChanges(events, "feed"));
    }
    split.noDefaultBranch();
  }

  /**
   * The user-state fold: sends the events of each change and the user's new state, so both are
   * written in the same exactly-once transaction (the gateway's snapshots rely on it).
   */
  private static void addUserState(final KStream<String, UserChange> inputs,
      final ProcessorMetrics metrics, final QuietCommits quiet) {
    final String name = "user.fold";
    final BranchedKStream<String, Routed> split = inputs
        .process(UserStateProcessor.supplier(metrics, quiet), Named.as(name))
        .split(Named.as(name + ".to-"));
    branch(split, Output.USER_EVENTS, "user-events", events -> toUserEvents(events, "user"));
    branch(split, Output.STATE, "user-state", states -> states
        .mapValues(value -> ((Routed.State) value).state().orElse(null), Named.as("user.state-value"))
        .to(Topics.USER_STATE.name(), Produced
            .with(Topics.USER_STATE.keySerde(), Topics.USER_STATE.valueSerde())
            .withName("user.state-sink")));
    split.noDefaultBranch();
  }

  private static void toUserEvents(final KStream<String, Routed> events, final String name) {
    to(events, Topics.USER_EVENTS, value -> ((Routed.ToUser) value).event(), name + ".user-event");
  }

  private static void toFeedEvents(final KStream<String, Routed> events, final String name) {
    to(events, Topics.FEED_EVENTS, value -> ((Routed.ToFeed) value).event(), name + ".feed-event");
  }

  private static void toPublicChanges(final KStream<String, Routed> events, final String name) {
    to(events, Topics.PUBLIC_CHANGES, value -> ((Routed.ToPublic) value).event(), name + ".public-change");
  }

  /** Unwraps the events ({@code <node>}) and writes them to the topic ({@code <node>s-sink}). */
  private static <V> void to(final KStream<String, Routed> events, final Topic<String, V> topic,
      final ValueMapper<Routed, V> event, final String node) {
    events
        .mapValues(event, Named.as(node))
        .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName(node + "s-sink"));
  }

  /**
   * A named repartition topic with the configured partition count: every input of one feature
   * must have the same count, so one user's (or one item's) records meet in one task.
   */
  private static <V> Repartitioned<String, V> repartitioned(final String name, final Class<V> type,
      final ProcessorConfig config) {
    final Serde<V> values = InternalSerde.of(type);
    return Repartitioned.<String, V>as(name)
        .withKeySerde(Serdes.String())
        .withValueSerde(values)
        .withNumberOfPartitions(config.topicPartitions());
  }

  private static <V> KStream<String, V> merge(final List<KStream<String, V>> streams,
      final String name) {
    KStream<String, V> merged = streams.get(0);
    for (int i = 1; i < streams.size(); i++) {
      merged = merged.merge(streams.get(i), Named.as(name + "-" + i));
    }
    return merged;
  }

  private static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> withStores(
      final Supplier<Processor<KIn, VIn, KOut, VOut>> processors,
      final StoreBuilder<?> store) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<KIn, VIn, KOut, VOut> get() {
        return processors.get();
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(store);
      }
    };
  }
}
