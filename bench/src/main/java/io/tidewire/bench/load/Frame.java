package io.tidewire.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A JSON text as the bench reads it (a frame a {@link Fleet} received, a record's value, a
 * response body): a field is found by its path with Jackson's streaming parser, which stops there,
 * so reading the {@code id} of a large event costs little more than its first fields. Text that
 * is not JSON has no fields.
 *
 * <p>A frame over bytes is a view of its owner's buffer: it is valid only during the call it is
 * handed to. Not thread-safe.
 */
public final class Frame {

  private static final JsonFactory JSON = new JsonFactory();

  private final byte[] bytes;
  private final int offset;
  private final int length;
  private final String text;

  private Frame(final byte[] bytes, final int offset, final int length, final String text) {
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
    this.text = text;
  }

  /** The UTF-8 JSON in {@code bytes[offset, offset + length)}, not copied. */
  public static Frame of(final byte[] bytes, final int offset, final int length) {
    return new Frame(bytes, offset, length, null);
  }

  public static Frame of(final String text) {
    return new Frame(null, 0, 0, text);
  }

  /** Its size in UTF-8 bytes. */
  public int size() {
    return text == null ? length : text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Whether its {@code op} is {@code op}. */
  public boolean isOp(final String op) {
    return text("op").filter(op::equals).isPresent();
  }

  /** The string at {@code path} ({@code "data", "jobId"}), or empty if there is none. */
  public Optional<String> text(final String... path) {
    try (JsonParser p = parser()) {
      return seek(p, path) == JsonToken.VALUE_STRING ? Optional.of(p.getText()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The integer at {@code path}, or empty if there is none. */
  public OptionalLong number(final String... path) {
    try (JsonParser p = parser()) {
      return seek(p, path) == JsonToken.VALUE_NUMBER_INT ? OptionalLong.of(p.getLongValue())
          : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  private JsonParser parser() throws IOException {
    return text == null ? JSON.createParser(bytes, offset, length) : JSON.createParser(text);
  }

  /**
   * Moves {@code p} onto the value at {@code path} and returns its token, or
   * {@link JsonToken#NOT_AVAILABLE} if there is no such value.
   */
  private static JsonToken seek(final JsonParser p, final String[] path) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return JsonToken.NOT_AVAILABLE;
    }
    int depth = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      final boolean match = path[depth].equals(p.currentName());
      final JsonToken value = p.nextToken();
      if (match && depth == path.length - 1) {
        return value;
      }
      if (match && value == JsonToken.START_OBJECT) {
        depth++;
      } else {
        p.skipChildren();
      }
    }
    return JsonToken.NOT_AVAILABLE;
  }

  @Override
  public String toString() {
    return text == null ? new String(bytes, offset, length, StandardCharsets.UTF_8) : text;
  }
}
