package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code row.<table>} event of the Tidewire protocol read back from its event frame (the frame the
 * live tail and the replay encode once for every session), as the parts Supabase's
 * {@code postgres_changes} payload needs, and that payload. {@code snapshot} rows (written once when
 * capture starts) and events of other types are not row changes. Pure functions.
 *
 * @param schema the table's schema, if the event names it ({@code data.table} is {@code schema.table})
 * @param table the bare table name
 * @param type {@code INSERT}, {@code UPDATE} or {@code DELETE}
 * @param record the row after the change (insert, update)
 * @param oldRecord the row before it (update, delete)
 * @param ts commit time, epoch ms
 * @param cursor the position right after the event
 */
public record RowEvent(Optional<String> schema, String table, String type, Optional<JsonNode> record, Optional<JsonNode> oldRecord,
    long ts, String cursor) {

  /** Values longer than this are left out of a row image over the size limit, as Supabase does. */
  static final int TRIMMED_VALUE_CHARS = 64;
  static final String PAYLOAD_TOO_LARGE = "Error 413: Payload Too Large";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The row change in an event frame, if it is one. */
  public static Optional<RowEvent> of(final String frame) {
    final JsonNode root;
    try {
      root = JSON.readTree(frame);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    final JsonNode type = root.get("type");
    final JsonNode data = root.get("data");
    if (type == null || !type.isTextual() || !type.textValue().startsWith("row.") || data == null
        || !data.isObject()) {
      return Optional.empty();
    }
    final String op = data.path("op").asText("");
    final JsonNode row = object(data.get("row"));
    final JsonNode old = object(data.get("old"));
    final String named = data.path("table").asText(type.textValue().substring(4));
    final int dot = named.indexOf('.');
    final Optional<String> schema = dot > 0 ? Optional.of(named.substring(0, dot)) : Optional.empty();
    final String table = named.substring(dot + 1);
    final long ts = root.path("ts").asLong();
    final String cursor = root.path("cursor").asText("");
    return switch (op) {
      case "insert" -> Optional.of(new RowEvent(schema, table, "INSERT", Optional.ofNullable(row), Optional.empty(), ts,
          cursor));
      case "update" -> Optional.of(new RowEvent(schema, table, "UPDATE", Optional.ofNullable(row), Optional.ofNullable(old),
          ts, cursor));
      // the row before a delete is `row` (and `old`, where the processor writes it)
      case "delete" -> Optional.of(new RowEvent(schema, table, "DELETE", Optional.empty(),
          Optional.ofNullable(old != null ? old : row), ts, cursor));
      default -> Optional.empty();
    };
  }

  /** The row the filters look at: the new row, or the old one of a delete. */
  public JsonNode filtered() {
    return record.or(() -> oldRecord).orElse(JsonNodeFactory.instance.objectNode());
  }

  /**
   * Supabase's {@code data}: {@code schema, table, commit_timestamp, type, columns, record,
   * old_record, errors}; a row image over {@code maxRecordBytes} loses its long values and the
   * change says {@value #PAYLOAD_TOO_LARGE}.
   */
  public ObjectNode data(final String schema, final int maxRecordBytes) {
    final ObjectNode data = JSON.createObjectNode();
    data.put("schema", schema);
    data.put("table", table);
    data.put("commit_timestamp", Instant.ofEpochMilli(ts).truncatedTo(ChronoUnit.MILLIS).toString());
    data.put("type", type);
    data.set("columns", columns(filtered()));
    boolean tooLarge = false;
    if (record.isPresent()) {
      final JsonNode r = fit(record.get(), maxRecordBytes);
      tooLarge = r != record.get();
      data.set("record", r);
    }
    if (oldRecord.isPresent()) {
      final JsonNode o = fit(oldRecord.get(), maxRecordBytes);
      tooLarge = tooLarge || o != oldRecord.get();
      data.set("old_record", o);
    }
    if (tooLarge) {
      data.putArray("errors").add(PAYLOAD_TOO_LARGE);
    } else {
      data.putNull("errors");
    }
    return data;
  }

  /**
   * The columns with the Postgres type their JSON value suggests (the row images carry no types):
   * realtime-js converts values by these, and a JSON value converted by its own type stays as is.
   */
  private static ArrayNode columns(final JsonNode row) {
    final ArrayNode columns = JSON.createArrayNode();
    final Iterator<Map.Entry<String, JsonNode>> fields = row.fields();
    while (fields.hasNext()) {
      final Map.Entry<String, JsonNode> field = fields.next();
      final JsonNode v = field.getValue();
      final String type = v.isIntegralNumber() ? "int8" : v.isNumber() ? "float8" : v.isBoolean() ? "bool"
          : v.isContainerNode() ? "jsonb" : "text";
      columns.addObject().put("name", field.getKey()).put("type", type);
    }
    return columns;
  }

  private static JsonNode fit(final JsonNode row, final int maxBytes) {
    if (row.toString().length() <= maxBytes) {
      return row;
    }
    final ObjectNode trimmed = JSON.createObjectNode();
    row.fields().forEachRemaining(f -> {
      if (f.getValue().toString().length() <= TRIMMED_VALUE_CHARS) {
        trimmed.set(f.getKey(), f.getValue());
      }
    });
    return trimmed;
  }

  private static JsonNode object(final JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      return node;
    }
    if (node.isTextual()) {
      try {
        final JsonNode parsed = JSON.readTree(node.textValue());
        return parsed != null && parsed.isObject() ? parsed : null;
      } catch (JsonProcessingException e) {
        return null;
      }
    }
    return null;
  }
}
