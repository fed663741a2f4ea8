package io.tidewire.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.processor.internals.DeserializationDeadLetters;
import io.tidewire.processor.internals.ProductionDeadLetters;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The exception handlers the processor configures ({@link StreamsProperties}), in Kafka Streams:
 * a failure at any stage after the first parks the source record on {@code realtime.dlq} and the
 * stream goes on.
 */
class ErrorHandlersTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private Properties props() {
    final Properties props = StreamsProperties.streams(ProcessorConfig.fromEnv(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:1", "TIDEWIRE_PROCESSOR_APP_ID", "handlers-test")));
    props.put(DeserializationDeadLetters.METRICS_CONFIG, new ProcessorMetrics(registry));
    return props;
  }

  /** in → a stage that throws on "boom" → out, through a value serializer that fails on "unwritable". */
  private static Topology topology() {
    final Serializer<String> picky = (topic, value) -> {
      if ("unwritable".equals(value)) {
        throw new IllegalArgumentException("cannot encode " + value);
      }
      return value.getBytes(StandardCharsets.UTF_8);
    };
    final Topology topology = new Topology();
    topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), "in");
    topology.addProcessor("later-stage", () -> new Processor<String, String, String, String>() {
      private ProcessorContext<String, String> context;

      @Override
      public void init(final ProcessorContext<String, String> context) {
        this.context = context;
      }

      @Override
      public void process(final Record<String, String> record) {
        if ("boom".equals(record.value())) {
          throw new IllegalStateException("invariant broken by " + record.value());
        }
        context.forward(record);
      }
    }, "in");
    topology.addSink("out", "out", Serdes.String().serializer(), picky, "later-stage");
    return topology;
  }

  /** The topology in a driver, with its input, output and dead-letter topics. */
  private final class Driven implements AutoCloseable {
    final TopologyTestDriver driver = new TopologyTestDriver(topology(), props());
    final TestInputTopic<String, String> in =
        driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
    final TestOutputTopic<String, String> out =
        driver.createOutputTopic("out", Serdes.String().deserializer(), Serdes.String().deserializer());
    final TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(Topics.DEAD_LETTER.name(),
        Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());

    @Override
    public void close() {
      driver.close();
    }
  }

  @Test
  void anExceptionInALaterStageParksTheSourceRecordAndTheStreamGoesOn() {
    try (Driven driven = new Driven()) {
      driven.in.pipeInput("k1", "boom");
      driven.in.pipeInput("k2", "fine");

      assertThat(driven.out.readValuesToList()).containsExactly("fine");
      final TestRecord<byte[], byte[]> letter = driven.dlq.readRecord();
      assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("k1");
      assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("boom");
      assertThat(header(letter.headers(), DeadLetterHeaders.REASON))
          .startsWith("processing: processor later-stage failed: java.lang.IllegalStateException: invariant broken");
      assertThat(header(letter.headers(), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("in");
      assertThat(header(letter.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
      assertThat(header(letter.headers(), DeadLetterHeaders.STAGE)).isEqualTo("stream-processor");
      assertThat(registry.get("tidewire.processor.dead.letters").tag("failure", "processing").counter().count())
          .isEqualTo(1);
    }
  }

  @Test
  void anOutputThatCannotBeSerializedParksItsSourceRecordAndTheStreamGoesOn() {
    try (Driven driven = new Driven()) {
      driven.in.pipeInput("k1", "unwritable");
      driven.in.pipeInput("k2", "fine");

      assertThat(driven.out.readValuesToList()).containsExactly("fine");
      final TestRecord<byte[], byte[]> letter = driven.dlq.readRecord();
      assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("unwritable");
      assertThat(header(letter.headers(), DeadLetterHeaders.REASON)).startsWith("unserializable: output to out: ");
    }
  }

  @Test
  void anOutputTooLargeForKafkaParksItsSourceRecordAndOtherProductionErrorsFail() {
    final ProductionDeadLetters handler = new ProductionDeadLetters();
    handler.configure(Map.of(DeserializationDeadLetters.METRICS_CONFIG, new ProcessorMetrics(registry)));
    final ProducerRecord<byte[], byte[]> output = new ProducerRecord<>("realtime.user-events", new byte[10], new byte[10]);
    final ErrorHandlerContext context = new Context("cdc.public.comments", 1, 42, "k".getBytes(StandardCharsets.UTF_8),
        "{\"op\":\"c\"}".getBytes(StandardCharsets.UTF_8));

    final ProductionExceptionHandler.Response parked =
        handler.handleError(context, output, new RecordTooLargeException("2 MB is more than 1 MiB"));
    final ProductionExceptionHandler.Response failed =
        handler.handleError(context, output, new TopicAuthorizationException("denied"));

    assertThat(parked.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    final ProducerRecord<byte[], byte[]> letter = parked.deadLetterQueueRecords().get(0);
    assertThat(letter.topic()).isEqualTo(Topics.DEAD_LETTER.name());
    assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("{\"op\":\"c\"}");
    assertThat(header(letter.headers(), DeadLetterHeaders.REASON))
        .isEqualTo("record_too_large: output to realtime.user-events: 2 MB is more than 1 MiB");
    assertThat(header(letter.headers(), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("42");
    assertThat(failed.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
    assertThat(registry.get("tidewire.processor.dead.letters").tag("failure", "record_too_large").counter().count())
        .isEqualTo(1);
  }

  private static String header(final Headers headers, final String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private record Context(String topic, int partition, long offset, byte[] sourceRawKey, byte[] sourceRawValue)
      implements ErrorHandlerContext {
    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return "sink";
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, partition);
    }

    @Override
    public long timestamp() {
      return 1_000;
    }
  }
}
