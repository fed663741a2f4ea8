package io.tidewire.processor.internals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.processor.TableId;
import io.tidewire.processor.internals.DecodeException.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decodes the JSON key and value of a {@code cdc.<schema>.<table>} record (Debezium envelope,
 * schemas disabled) into a {@link ChangeEnvelope}, or fails with a {@link DecodeException} saying
 * why. Never returns a half-valid envelope. Thread-safe (Jackson's mapper is).
 *
 * <p>The key is rewritten as canonical JSON (object fields sorted by name, no whitespace) so the
 * event id does not depend on how a producer ordered the primary key columns. A record without a
 * key (a table without a primary key) falls back to the canonical JSON of its row image.
 */
public final class EnvelopeDecoder {

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** Reads one row image from inside an envelope (what follows it is the envelope's business). */
  private static final ObjectReader IMAGE = JSON.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private EnvelopeDecoder() {}

  /**
   * Decodes one change.
   *
   * @param table the table whose topic the record was read from
   * @param key the record key, possibly null
   * @param value the record value, not null (tombstones are skipped before decoding)
   * @throws DecodeException when the record does not follow the envelope contract
   */
  public static ChangeEnvelope decode(final TableId table, final byte[] key, final byte[] value) {
    Objects.requireNonNull(value, "value");
    final Optional<Fields> fields = Fields.read(value);
    if (fields.isPresent()) {
      final Fields f = fields.get();
      return new ChangeEnvelope(table, f.op, f.before, f.after, f.tsMs, f.lsn, f.txId,
          key == null ? canonical(f.op == Op.DELETE ? f.before.get() : f.after.get())
              : canonical(parse(key, "key")));
    }
    return decodeTree(table, key, value);
  }

  /**
   * The envelope's fields read in one pass over the bytes, skipping what the processor does not use
   * (Debezium's source block but for {@code ts_ms}, {@code lsn}, {@code txId}; the top-level
   * timestamps and transaction), without building a tree of the whole record. Anything out of the
   * ordinary (not JSON, a missing or mistyped field, trailing data) gives empty: the record is then
   * decoded as a tree by {@link #decodeTree}, which accepts exactly the valid envelopes this does and
   * says why it refuses the others.
   */
  private static final class Fields {
    private Op op;
    private Optional<ObjectNode> before = Optional.empty();
    private Optional<ObjectNode> after = Optional.empty();
    private boolean source;
    private long tsMs;
    private boolean hasTsMs;
    private OptionalLong lsn = OptionalLong.empty();
    private OptionalLong txId = OptionalLong.empty();

    static Optional<Fields> read(final byte[] value) {
      try (JsonParser parser = JSON.getFactory().createParser(value)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return Optional.empty();
        }
        final Fields fields = new Fields();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
          final JsonToken token = parser.nextToken();
          final boolean known = switch (name) {
            case "op" -> fields.op(parser, token);
            case "before" -> (fields.before = image(parser, token)) != null;
            case "after" -> (fields.after = image(parser, token)) != null;
            case "source" -> fields.source(parser, token);
            default -> {
              parser.skipChildren();
              yield true;
            }
          };
          if (!known) {
            return Optional.empty();
          }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
          return Optional.empty();
        }
        return fields.valid() ? Optional.of(fields) : Optional.empty();
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
    }

    private boolean op(final JsonParser parser, final JsonToken token) throws IOException {
      op = token == JsonToken.VALUE_STRING ? Op.ofCode(parser.getText()).orElse(null) : null;
      return op != null;
    }

    /** An image as read, or null when it is neither an object nor null. */
    private static Optional<ObjectNode> image(final JsonParser parser, final JsonToken token) throws IOException {
      if (token == JsonToken.VALUE_NULL) {
        return Optional.empty();
      }
      return token == JsonToken.START_OBJECT ? Optional.of((ObjectNode) IMAGE.readTree(parser)) : null;
    }

    private boolean source(final JsonParser parser, final JsonToken token) throws IOException {
      if (token != JsonToken.START_OBJECT) {
        return false;
      }
      source = true;
      hasTsMs = false;
      lsn = OptionalLong.empty();
      txId = OptionalLong.empty();
      for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
        final JsonToken field = parser.nextToken();
        switch (name) {
          case "ts_ms", "lsn", "txId" -> {
            if (field == JsonToken.VALUE_NULL) {
              continue;
            }
            if (field != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              return false;
            }
            final long number = parser.getLongValue();
            if ("ts_ms".equals(name)) {
              tsMs = number;
              hasTsMs = true;
            } else if ("lsn".equals(name)) {
              lsn = OptionalLong.of(number);
            } else {
              txId = OptionalLong.of(number);
            }
          }
          default -> parser.skipChildren();
        }
      }
      return true;
    }

    private boolean valid() {
      return op != null && source && hasTsMs && (lsn.isPresent() || op == Op.READ)
          && (op == Op.DELETE ? before.isPresent() : after.isPresent());
    }
  }

  /** Whether {@code value} is decoded in one pass, not as a tree (for tests). */
  static boolean readsInOnePass(final byte[] value) {
    return Fields.read(value).isPresent();
  }

  /** Decodes one change from its JSON tree, saying exactly why a record does not follow the contract. */
  static ChangeEnvelope decodeTree(final TableId table, final byte[] key, final byte[] value) {
    final JsonNode root = parse(value, "value");
    if (!root.isObject()) {
      throw new DecodeException(Kind.NOT_JSON, "value is JSON " + kindOf(root) + ", not an object");
    }
    final String code = requireText(root, "op", "envelope");
    final Op op = Op.ofCode(code).orElseThrow(() -> new DecodeException(Kind.UNKNOWN_OP,
        "op '" + Row.abbreviate(code) + "' is not one of c, u, d, r"));
    final JsonNode source = root.get("source");
    if (source == null || source.isNull()) {
      throw new DecodeException(Kind.MISSING_FIELD, "envelope has no source");
    }
    if (!source.isObject()) {
      throw new DecodeException(Kind.WRONG_TYPE, "source should be an object, got " + kindOf(source));
    }
    final long tsMs = optionalLong(source, "ts_ms").orElseThrow(() ->
        new DecodeException(Kind.MISSING_FIELD, "source.ts_ms is missing or null"));
    final OptionalLong lsn = optionalLong(source, "lsn");
    final OptionalLong txId = optionalLong(source, "txId");
    if (lsn.isEmpty() && op != Op.READ) {
      throw new DecodeException(Kind.MISSING_FIELD,
          "source.lsn is missing or null on a streamed change (op " + code + ")");
    }
    final Optional<ObjectNode> before = optionalObject(root, "before");
    final Optional<ObjectNode> after = optionalObject(root, "after");
    if (op == Op.DELETE && before.isEmpty()) {
      throw new DecodeException(Kind.MISSING_FIELD, "delete without a before row");
    }
    if (op != Op.DELETE && after.isEmpty()) {
      throw new DecodeException(Kind.MISSING_FIELD, "op " + code + " without an after row");
    }
    final String canonicalKey;
    if (key == null) {
      canonicalKey = canonical(op == Op.DELETE ? before.get() : after.get());
    } else {
      canonicalKey = canonical(parse(key, "key"));
    }
    return new ChangeEnvelope(table, op, before, after, tsMs, lsn, txId, canonicalKey);
  }

  /** Canonical JSON: object fields sorted by name, recursively, no whitespace. */
  static String canonical(final JsonNode node) {
    try {
      return JSON.writeValueAsString(sorted(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a parsed JSON tree", e);
    }
  }

  private static JsonNode sorted(final JsonNode node) {
    if (isSorted(node)) {
      return node; // the usual key, {"id": ...}: nothing to copy
    }
    if (node.isObject()) {
      final List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      final ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (final String name : names) {
        copy.set(name, sorted(node.get(name)));
      }
      return copy;
    }
    if (node.isArray()) {
      final ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> copy.add(sorted(element)));
      return copy;
    }
    return node;
  }

  private static boolean isSorted(final JsonNode node) {
    if (node.isObject()) {
      String previous = null;
      for (final Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        final Map.Entry<String, JsonNode> field = fields.next();
        if (previous != null && previous.compareTo(field.getKey()) >= 0 || !isSorted(field.getValue())) {
          return false;
        }
        previous = field.getKey();
      }
      return true;
    }
    if (node.isArray()) {
      for (final JsonNode element : node) {
        if (!isSorted(element)) {
          return false;
        }
      }
    }
    return true;
  }

  private static JsonNode parse(final byte[] bytes, final String what) {
    try {
      final JsonNode node = JSON.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new DecodeException(Kind.NOT_JSON, what + " is empty");
      }
      return node;
    } catch (IOException e) {
      throw new DecodeException(Kind.NOT_JSON, what + " is not JSON: "
          + Row.abbreviate(firstLine(e.getMessage())), e);
    }
  }

  private static String requireText(final JsonNode parent, final String field, final String where) {
    final JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      throw new DecodeException(Kind.MISSING_FIELD, where + " has no " + field);
    }
    if (!value.isTextual()) {
      throw new DecodeException(Kind.WRONG_TYPE, field + " should be text, got " + kindOf(value));
    }
    return value.textValue();
  }

  private static OptionalLong optionalLong(final JsonNode parent, final String field) {
    final JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new DecodeException(Kind.WRONG_TYPE,
          "source." + field + " should be an integer, got " + kindOf(value));
    }
    return OptionalLong.of(value.longValue());
  }

  private static Optional<ObjectNode> optionalObject(final JsonNode parent, final String field) {
    final JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw new DecodeException(Kind.WRONG_TYPE, field + " should be an object or null, got " + kindOf(value));
    }
    return Optional.of((ObjectNode) value);
  }

  private static String kindOf(final JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String firstLine(final String message) {
    if (message == null) {
      return "";
    }
    final int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
