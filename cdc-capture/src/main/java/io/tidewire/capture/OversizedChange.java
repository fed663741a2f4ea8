package io.tidewire.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.engine.ChangeEvent;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The capture's policy for a change Kafka refuses as too large ({@code RecordTooLargeException}:
 * the envelope exceeds the producer's {@code max.request.size} or the topic's
 * {@code max.message.bytes}): instead of the change, a small record goes to {@code realtime.dlq}
 * and the capture goes on. It says which row and change it was (topic, key, op, LSN, txId), how
 * large the envelope was and why it was refused, in a JSON value and the same
 * {@link DeadLetterHeaders} as the processor's dead letters ({@code tidewire.dlq.topic} is the
 * change topic the record was meant for, stage {@code cdc-capture}). The row's data is not kept.
 * Stateless.
 */
final class OversizedChange {

  /** Value of {@link DeadLetterHeaders#STAGE}. */
  static final String STAGE = "cdc-capture";
  /** The failure named in {@link DeadLetterHeaders#REASON}. */
  static final String FAILURE = "record_too_large";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OversizedChange() {}

  /**
   * @param change the refused change
   * @param sizeBytes its key and value in bytes
   * @param cause why Kafka refused it
   * @return the dead letter to send in its place
   */
  static ProducerRecord<byte[], byte[]> deadLetter(final ChangeEvent<String, String> change, final long sizeBytes,
      final Throwable cause) {
    final ObjectNode value = JSON.createObjectNode();
    value.put("topic", change.destination());
    value.set("key", parseOrText(change.key()));
    final JsonNode source = source(change.value());
    value.put("op", source.path("op").asText(null));
    value.put("table", source.path("source").path("schema").asText("") + "."
        + source.path("source").path("table").asText(""));
    if (source.path("source").has("lsn")) {
      value.put("lsn", source.path("source").path("lsn").asLong());
    }
    if (source.path("source").has("txId")) {
      value.put("txId", source.path("source").path("txId").asLong());
    }
    value.put("sizeBytes", sizeBytes);
    value.put("reason", FAILURE);
    value.put("message", String.valueOf(cause.getMessage()));
    final RecordHeaders headers = new RecordHeaders();
    headers.add(DeadLetterHeaders.REASON, utf8(FAILURE + ": " + cause.getMessage()));
    headers.add(DeadLetterHeaders.EXCEPTION, utf8(cause.getClass().getName()));
    headers.add(DeadLetterHeaders.SOURCE_TOPIC, utf8(change.destination()));
    headers.add(DeadLetterHeaders.STAGE, utf8(STAGE));
    return new ProducerRecord<>(Topics.DEAD_LETTER.name(), null, change.key() == null ? null : utf8(change.key()),
        utf8(value.toString()), headers);
  }

  /** The envelope from its last {@code "source"} on: op and source block, without the row images. */
  private static JsonNode source(final String value) {
    if (value == null) {
      return JSON.createObjectNode();
    }
    final int at = value.lastIndexOf("\"source\":");
    try {
      return JSON.readTree(at > 0 ? "{" + value.substring(at) : value);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static JsonNode parseOrText(final String key) {
    if (key == null) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(key);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(key);
    }
  }

  private static byte[] utf8(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
