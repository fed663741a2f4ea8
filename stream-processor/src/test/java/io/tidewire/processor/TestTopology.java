package io.tidewire.processor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.processor.internals.DeserializationDeadLetters;
import io.tidewire.schemas.Topics;
import io.tidewire.processor.internals.RowChangeMapper;
import io.tidewire.processor.internals.UserDataMapper;
import io.tidewire.schemas.avro.ContentAccess;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The whole topology in a {@link TopologyTestDriver}, configured from environment variables like
 * the real process (defaults unless overridden), with typed output topics and metrics.
 */
final class TestTopology implements AutoCloseable {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ProcessorConfig config;
  final TopologyTestDriver driver;
  /**
   * The user events as before {@code TIDEWIRE_PROCESSOR_ROW_CHANGES}: typed events, and
   * {@code row.<table>} of owned tables without a dedicated mapper.
   */
  final UserEventsView userEvents;
  /** The {@code row.<table>} events that {@code TIDEWIRE_PROCESSOR_ROW_CHANGES} adds. */
  final UserEventsView addedRowEvents;
  final TestOutputTopic<String, PublicRowEvent> publicChanges;
  final TestOutputTopic<String, FeedEvent> feedEvents;
  final TestOutputTopic<byte[], byte[]> deadLetters;
  final TestOutputTopic<String, UserState> userStates;
  final TestOutputTopic<String, ContentAccess> contentAccess;

  private TestTopology(final ProcessorConfig config) {
    this.config = config;
    final ProcessorMetrics metrics = new ProcessorMetrics(registry);
    final Properties props = StreamsProperties.streams(config);
    props.put(DeserializationDeadLetters.METRICS_CONFIG, metrics);
    this.driver = new TopologyTestDriver(TopologyFactory.build(config, metrics), props);
    final TestOutputTopic<String, UserEvent> all = driver.createOutputTopic(Topics.USER_EVENTS.name(),
        Topics.USER_EVENTS.keySerde().deserializer(), Topics.USER_EVENTS.valueSerde().deserializer());
    final Set<String> genericRows = config.ownedTables().stream()
        .filter(t -> !UserDataMapper.hasDedicatedMapper(t))
        .map(t -> RowChangeMapper.typeOf(t.table())).collect(Collectors.toSet());
    final Predicate<UserEvent> added = e -> e.getType().startsWith("row.") && !genericRows.contains(e.getType());
    userEvents = new UserEventsView(all, added.negate());
    addedRowEvents = new UserEventsView(all, added);
    UserEventsView.share(List.of(userEvents, addedRowEvents));
    publicChanges = driver.createOutputTopic(Topics.PUBLIC_CHANGES.name(),
        Topics.PUBLIC_CHANGES.keySerde().deserializer(), Topics.PUBLIC_CHANGES.valueSerde().deserializer());
    feedEvents = driver.createOutputTopic(Topics.FEED_EVENTS.name(),
        Topics.FEED_EVENTS.keySerde().deserializer(), Topics.FEED_EVENTS.valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER.name(),
        Topics.DEAD_LETTER.keySerde().deserializer(), Topics.DEAD_LETTER.valueSerde().deserializer());
    userStates = driver.createOutputTopic(Topics.USER_STATE.name(),
        Topics.USER_STATE.keySerde().deserializer(), Topics.USER_STATE.valueSerde().deserializer());
    contentAccess = driver.createOutputTopic(Topics.CONTENT_ACCESS.name(),
        Topics.CONTENT_ACCESS.keySerde().deserializer(), Topics.CONTENT_ACCESS.valueSerde().deserializer());
  }

  /** Starts the topology with the default configuration plus these variables (name, value, ...). */
  static TestTopology start(final String... namesAndValues) {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "unused:9092");
    env.put("TIDEWIRE_PROCESSOR_APP_ID", "topology-test");
    env.put("TIDEWIRE_PROCESSOR_STATE_DIR",
        Path.of(System.getProperty("java.io.tmpdir"), "topology-test-" + UUID.randomUUID()).toString());
    for (int i = 0; i < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return new TestTopology(ProcessorConfig.fromEnv(env));
  }

  /** The change topic of {@code schema.table}. */
  TestInputTopic<byte[], byte[]> cdc(final String table) {
    final String[] parts = table.split("\\.");
    return driver.createInputTopic(Topics.cdcName(parts[0], parts[1]),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Pipes one change of {@code table}: the key {@code {"id":id}} and the envelope. */
  void pipe(final String table, final String id, final Envelopes change) {
    cdc(table).pipeInput(Envelopes.idKey(id), change.bytes());
  }

  /** Moves the wall clock, running the punctuations that fall due. */
  void advance(final Duration by) {
    driver.advanceWallClockTime(by);
  }

  double counter(final String name, final String tag, final String value) {
    return registry.find(name).tag(tag, value).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Override
  public void close() {
    driver.close();
  }
}
