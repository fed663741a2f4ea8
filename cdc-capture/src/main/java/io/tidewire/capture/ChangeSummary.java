package io.tidewire.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the metrics need from a Debezium change envelope (JSON, schemas disabled): the operation,
 * whether it came from a snapshot, and the source commit time. Read with a streaming parser from
 * the source block on, past the row images, so it costs little next to the send (the benchmarks'
 * profile showed a full parse at ~6 % of the capture's CPU).
 *
 * @param op {@code c}, {@code u}, {@code d} or {@code r}; empty for heartbeats and other records
 * @param snapshot true unless {@code source.snapshot} is absent or {@code "false"}
 * @param sourceTsMicros commit time in microseconds ({@code source.ts_us}, else {@code source.ts_ms})
 */
record ChangeSummary(Optional<String> op, boolean snapshot, OptionalLong sourceTsMicros) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * @param value an envelope; anything else (a heartbeat, malformed JSON) gives an empty op and time
   * @return the summary; never throws
   */
  static ChangeSummary of(final String value) {
    // The row images come first and are most of the envelope (twice the row with REPLICA
    // IDENTITY FULL); source, op and the timestamps follow them. So parse from the last "source"
    // key on, and the whole envelope only if that finds no op. A row value cannot cut in: it
    // comes before the real key, and the quotes inside its strings are escaped.
    final int source = value.lastIndexOf("\"source\":");
    if (source > 0) {
      final ChangeSummary tail = parse("{" + value.substring(source));
      if (tail.op().isPresent()) {
        return tail;
      }
    }
    return parse(value);
  }

  private static ChangeSummary parse(final String value) {
    String op = null;
    String snapshot = null;
    long tsUs = -1;
    long tsMs = -1;
    try (JsonParser p = JSON.createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return none();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        final String field = p.currentName();
        final JsonToken token = p.nextToken();
        if ("op".equals(field) && token == JsonToken.VALUE_STRING) {
          op = p.getText();
        } else if ("source".equals(field) && token == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            final String sourceField = p.currentName();
            final JsonToken sourceToken = p.nextToken();
            if ("ts_us".equals(sourceField) && sourceToken == JsonToken.VALUE_NUMBER_INT) {
              tsUs = p.getLongValue();
            } else if ("ts_ms".equals(sourceField) && sourceToken == JsonToken.VALUE_NUMBER_INT) {
              tsMs = p.getLongValue();
            } else if ("snapshot".equals(sourceField) && sourceToken == JsonToken.VALUE_STRING) {
              snapshot = p.getText();
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      return none();
    }
    final OptionalLong ts = tsUs >= 0 ? OptionalLong.of(tsUs) : tsMs >= 0 ? OptionalLong.of(tsMs * 1000) : OptionalLong.empty();
    return new ChangeSummary(Optional.ofNullable(op), snapshot != null && !"false".equals(snapshot), ts);
  }

  private static ChangeSummary none() {
    return new ChangeSummary(Optional.empty(), false, OptionalLong.empty());
  }
}
