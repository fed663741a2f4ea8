package io.tidewire.processor;

import io.tidewire.processor.internals.ChangeRouterProcessor;
import io.tidewire.processor.internals.RowChangeMapper;
import io.tidewire.processor.internals.Routed;
import io.tidewire.processor.internals.TableRouter;
import io.tidewire.processor.internals.UserDataMapper;
import io.tidewire.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the processor's topology from its configuration: a pure function, no I/O, so tests run
 * it in {@code TopologyTestDriver} and {@link ProcessorApp} runs it in Kafka Streams.
 *
 * <p>One stateless sub-topology per configured table (its partitions are tasks of their own, and
 * adding a table renames nothing); every node is named after its table:
 *
 * <pre>
 * cdc.S.T ─▶ S.T.source ─▶ S.T.route (decode + map, never throws; tombstones dropped)
 *                              └─▶ S.T.to-* (split)
 *                                   ├─ user-events  ─▶ S.T.user-event  ─▶ S.T.user-events-sink ─▶ realtime.user-events
 *                                   ├─ feed-events  ─▶ S.T.feed-event  ─▶ S.T.feed-events-sink ─▶ realtime.feed-events
 *                                   └─ dead-letter  ─▶ S.T.dead-letter ─▶ S.T.dead-letter-sink ─▶ realtime.dlq
 * </pre>
 *
 * <p>The user and feed branches exist only for tables configured as owned or feed tables. A later
 * stateful part (feed counts from likes and comments) adds its own sub-topology here, reading its
 * {@code cdc} topics with named stores.
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

  /** The topology, counting events, dead letters and tombstones in {@code metrics}. */
  public static Topology build(final ProcessorConfig config, final ProcessorMetrics metrics) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    // The topology carries the Streams settings that shape it, e.g. enforced explicit naming.
    final StreamsBuilder builder = new StreamsBuilder(
        new TopologyConfig(new StreamsConfig(StreamsProperties.streams(config))));
    for (final TableRouter router : routers(config).values()) {
      addTable(builder, router, metrics);
    }
    return builder.build();
  }

  private static Map<TableId, TableRouter> routers(final ProcessorConfig config) {
    final Map<TableId, Optional<OwnedTable>> owned = new LinkedHashMap<>();
    final Map<TableId, Optional<FeedTable>> feed = new LinkedHashMap<>();
    for (final OwnedTable t : config.ownedTables()) {
      owned.put(t.table(), Optional.of(t));
      feed.putIfAbsent(t.table(), Optional.empty());
      if (t.eventType().isPresent() && !UserDataMapper.hasDedicatedMapper(t)) {
        LOG.info("{}: event type '{}' has no dedicated mapper; emitting generic {} events",
            t.table(), t.eventType().get(), RowChangeMapper.typeOf(t.table()));
      }
    }
    for (final FeedTable t : config.feedTables()) {
      feed.put(t.table(), Optional.of(t));
      owned.putIfAbsent(t.table(), Optional.empty());
    }
    final Map<TableId, TableRouter> routers = new LinkedHashMap<>();
    for (final TableId table : owned.keySet()) {
      routers.put(table, new TableRouter(table, owned.get(table), feed.get(table)));
    }
    return routers;
  }

  private static void addTable(final StreamsBuilder builder, final TableRouter router,
      final ProcessorMetrics metrics) {
    final String name = router.table().qualified();
    final KStream<String, Routed> routed = builder
        .stream(router.table().topic(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + ".source"))
        .process(() -> new ChangeRouterProcessor(router, metrics), Named.as(name + ".route"));

    final BranchedKStream<String, Routed> split = routed.split(Named.as(name + ".to-"));
    if (router.routesToUsers()) {
      split.branch((key, value) -> value instanceof Routed.ToUser, Branched.withConsumer(events -> events
          .mapValues(value -> ((Routed.ToUser) value).event(), Named.as(name + ".user-event"))
          .to(Topics.USER_EVENTS.name(), Produced
              .with(Topics.USER_EVENTS.keySerde(), Topics.USER_EVENTS.valueSerde())
              .withName(name + ".user-events-sink")), "user-events"));
    }
    if (router.routesToFeed()) {
      split.branch((key, value) -> value instanceof Routed.ToFeed, Branched.withConsumer(events -> events
          .mapValues(value -> ((Routed.ToFeed) value).event(), Named.as(name + ".feed-event"))
          .to(Topics.FEED_EVENTS.name(), Produced
              .with(Topics.FEED_EVENTS.keySerde(), Topics.FEED_EVENTS.valueSerde())
              .withName(name + ".feed-events-sink")), "feed-events"));
    }
    split.branch((key, value) -> value instanceof Routed.DeadLetter, Branched.withConsumer(records -> records
        .map((key, value) -> {
          final Routed.DeadLetter dead = (Routed.DeadLetter) value;
          return KeyValue.pair(dead.key(), dead.value());
        }, Named.as(name + ".dead-letter"))
        .to(Topics.DEAD_LETTER.name(), Produced
            .with(Topics.DEAD_LETTER.keySerde(), Topics.DEAD_LETTER.valueSerde())
            .withName(name + ".dead-letter-sink")), "dead-letter"));
    split.noDefaultBranch();
  }
}
