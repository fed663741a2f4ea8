package io.tidewire.launcher.tail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tidewire.gateway.protocol.AvroJson;
import io.tidewire.schemas.AvroSerde;
import io.tidewire.schemas.ReleasedSchemas;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One Kafka record of any Tidewire topic as one line of JSON:
 * {@code {"topic","partition","offset","timestamp","key","value"[,"headers"]}}.
 *
 * <p>A key or value is written as what it is: a Tidewire Avro record (single-object encoding with
 * the fingerprint of a current or released public schema) as the JSON clients see (the gateway's
 * {@link AvroJson}); a JSON document (the capture's keys and Debezium envelopes) as that JSON,
 * unchanged; other UTF-8 text as a string; anything else as {@code keyBase64}/{@code
 * valueBase64}. A tombstone's value is {@code null}. Header values are UTF-8 strings.
 *
 * <p>Thread-safe.
 */
public final class RecordJson {

  private static final JsonFactory JSON = new JsonFactory();

  /** Fingerprint (as Avro's single-object header holds it) to the deserializer of its type. */
  private final Map<Long, Deserializer<? extends SpecificRecordBase>> avro = new HashMap<>();

  public RecordJson() {
    for (final Class<? extends SpecificRecordBase> type : ReleasedSchemas.PUBLIC_TYPES) {
      final Schema record = SpecificData.get().getSchema(type);
      final Deserializer<? extends SpecificRecordBase> deserializer =
          AvroSerde.of(type).deserializer();
      avro.put(fingerprint(ReleasedSchemas.fingerprint(record)), deserializer);
      for (final Schema released : ReleasedSchemas.of(record)) {
        avro.put(fingerprint(ReleasedSchemas.fingerprint(released)), deserializer);
      }
    }
  }

  /** The record as one line of JSON, without the line break. */
  public String format(final ConsumerRecord<byte[], byte[]> record) {
    final StringWriter line = new StringWriter();
    try (JsonGenerator out = JSON.createGenerator(line)) {
      out.writeStartObject();
      out.writeStringField("topic", record.topic());
      out.writeNumberField("partition", record.partition());
      out.writeNumberField("offset", record.offset());
      out.writeNumberField("timestamp", record.timestamp());
      writeBytes(out, "key", record.topic(), record.key());
      writeBytes(out, "value", record.topic(), record.value());
      if (record.headers().toArray().length > 0) {
        out.writeObjectFieldStart("headers");
        for (final Header header : record.headers()) {
          out.writeFieldName(header.key());
          if (header.value() == null) {
            out.writeNull();
          } else {
            out.writeString(new String(header.value(), StandardCharsets.UTF_8));
          }
        }
        out.writeEndObject();
      }
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return line.toString();
  }

  private void writeBytes(final JsonGenerator out, final String field, final String topic,
      final byte[] bytes) throws IOException {
    if (bytes == null) {
      out.writeNullField(field);
      return;
    }
    final Optional<IndexedRecord> record = decodeAvro(topic, bytes);
    if (record.isPresent()) {
      out.writeFieldName(field);
      AvroJson.write(out, record.get(), record.get().getSchema());
      return;
    }
    final Optional<String> text = utf8(bytes);
    if (text.isEmpty()) {
      out.writeStringField(field + "Base64", Base64.getEncoder().encodeToString(bytes));
    } else if (isOneJsonValue(text.get())) {
      out.writeFieldName(field);
      out.writeRawValue(text.get());
    } else {
      out.writeStringField(field, text.get());
    }
  }

  private Optional<IndexedRecord> decodeAvro(final String topic, final byte[] bytes) {
    if (bytes.length < 10 || bytes[0] != (byte) 0xC3 || bytes[1] != 0x01) {
      return Optional.empty();
    }
    final Deserializer<? extends SpecificRecordBase> deserializer =
        avro.get(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    if (deserializer == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(deserializer.deserialize(topic, bytes));
    } catch (SerializationException e) {
      return Optional.empty(); // a damaged record: shown as bytes rather than ending the tail
    }
  }

  private static Optional<String> utf8(final byte[] bytes) {
    try {
      final CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return Optional.of(chars.toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code text} is exactly one JSON object or array on one line, so it can be copied. */
  private static boolean isOneJsonValue(final String text) {
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      return false;
    }
    try (JsonParser parser = JSON.createParser(text)) {
      final JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  private static long fingerprint(final byte[] littleEndian) {
    return ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }
}
