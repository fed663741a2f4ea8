package io.tidewire.gateway.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes an Avro datum as plain JSON by walking its schema, for clients that know nothing of Avro:
 *
 * <ul>
 *   <li>a record becomes an object of its fields; a field whose value is null is omitted;
 *   <li>a union is written as its branch (so a union of records reads as that record's fields);
 *   <li>a string field (or string schema) with the property {@code "json": true} holds a JSON
 *       document and is embedded as JSON, not as a string; if it does not parse, it is written as a
 *       string rather than producing a broken frame;
 *   <li>maps become objects, arrays arrays, enums strings, bytes and fixed base64 strings,
 *       decimals strings (no precision lost in JavaScript), {@code Instant}s epoch milliseconds.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class AvroJson {

  /** Schema or field property marking a string that holds JSON. */
  public static final String JSON_PROPERTY = "json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AvroJson() {}

  /** Writes {@code datum}, described by {@code schema}, as one JSON value. */
  public static void write(final JsonGenerator out, final Object datum, final Schema schema)
      throws IOException {
    write(out, datum, schema, false);
  }

  private static void write(final JsonGenerator out, final Object datum, final Schema schema,
      final boolean json) throws IOException {
    if (datum == null) {
      out.writeNull();
      return;
    }
    switch (schema.getType()) {
      case RECORD:
        writeRecord(out, (IndexedRecord) datum, schema);
        break;
      case UNION:
        final Schema branch = schema.getTypes().get(GenericData.get().resolveUnion(schema, datum));
        write(out, datum, branch, json);
        break;
      case MAP:
        out.writeStartObject();
        for (final Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          out.writeFieldName(entry.getKey().toString());
          write(out, entry.getValue(), schema.getValueType(), false);
        }
        out.writeEndObject();
        break;
      case ARRAY:
        out.writeStartArray();
        for (final Object element : (Collection<?>) datum) {
          write(out, element, schema.getElementType(), false);
        }
        out.writeEndArray();
        break;
      case STRING:
        if (json || isJson(schema.getObjectProp(JSON_PROPERTY))) {
          writeEmbeddedJson(out, datum.toString());
        } else {
          out.writeString(datum.toString());
        }
        break;
      case ENUM:
        out.writeString(datum.toString());
        break;
      case BOOLEAN:
        out.writeBoolean((Boolean) datum);
        break;
      case INT:
      case LONG:
      case FLOAT:
      case DOUBLE:
        writeNumber(out, datum);
        break;
      case BYTES:
        writeBytes(out, datum);
        break;
      case FIXED:
        writeBytes(out, datum);
        break;
      case NULL:
        out.writeNull();
        break;
      default:
        out.writeString(datum.toString());
    }
  }

  private static void writeRecord(final JsonGenerator out, final IndexedRecord record,
      final Schema schema) throws IOException {
    out.writeStartObject();
    for (final Schema.Field field : schema.getFields()) {
      final Object value = record.get(field.pos());
      if (value == null) {
        continue;
      }
      out.writeFieldName(field.name());
      write(out, value, field.schema(), isJson(field.getObjectProp(JSON_PROPERTY)));
    }
    out.writeEndObject();
  }

  private static boolean isJson(final Object property) {
    return Boolean.TRUE.equals(property) || "true".equals(property);
  }

  private static void writeEmbeddedJson(final JsonGenerator out, final String text)
      throws IOException {
    final JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      out.writeString(text);
      return;
    }
    if (tree == null || tree.isMissingNode()) {
      out.writeString(text);
    } else {
      JSON.writeTree(out, tree);
    }
  }

  private static void writeNumber(final JsonGenerator out, final Object datum) throws IOException {
    if (datum instanceof Integer) {
      out.writeNumber((Integer) datum);
    } else if (datum instanceof Long) {
      out.writeNumber((Long) datum);
    } else if (datum instanceof Float) {
      out.writeNumber((Float) datum);
    } else if (datum instanceof Double) {
      out.writeNumber((Double) datum);
    } else if (datum instanceof Instant) {
      out.writeNumber(((Instant) datum).toEpochMilli());
    } else {
      out.writeString(datum.toString());
    }
  }

  private static void writeBytes(final JsonGenerator out, final Object datum) throws IOException {
    if (datum instanceof BigDecimal) {
      out.writeString(((BigDecimal) datum).toPlainString());
    } else if (datum instanceof ByteBuffer) {
      final ByteBuffer copy = ((ByteBuffer) datum).duplicate();
      final byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      out.writeString(Base64.getEncoder().encodeToString(bytes));
    } else if (datum instanceof GenericFixed) {
      out.writeString(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
    } else {
      out.writeString(datum.toString());
    }
  }
}
