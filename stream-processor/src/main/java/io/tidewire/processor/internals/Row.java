package io.tidewire.processor.internals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.processor.internals.DecodeException.Kind;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed access to the columns of one row image of a Debezium envelope, failing with a
 * {@link DecodeException} that names the column and the row. Optional columns treat a missing
 * column like SQL NULL; a present value of the wrong JSON type is always an error.
 *
 * <p>Immutable view; the wrapped node must not be modified.
 *
 * @param node the row as Debezium wrote it (schemas disabled)
 * @param description e.g. {@code after row of public.generation_jobs}, for messages
 */
public record Row(ObjectNode node, String description) {

  public Row {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(description, "description");
  }

  /** A text column that must be present and not null. */
  public String requireText(final String column) {
    return text(column).orElseThrow(() -> new DecodeException(Kind.MISSING_FIELD,
        "column " + column + " is missing or null in the " + description));
  }

  /** A text column; empty when missing or null. */
  public Optional<String> text(final String column) {
    final JsonNode value = node.get(column);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw wrongType(column, "text", value);
    }
    return Optional.of(value.textValue());
  }

  /** An int column; {@code defaultValue} when missing or null. */
  public int intOr(final String column, final int defaultValue) {
    final JsonNode value = node.get(column);
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw wrongType(column, "an integer", value);
    }
    return value.intValue();
  }

  /** A bigint (or int) column that must be present and not null. */
  public long requireLong(final String column) {
    final JsonNode value = node.get(column);
    if (value == null || value.isNull()) {
      throw new DecodeException(Kind.MISSING_FIELD,
          "column " + column + " is missing or null in the " + description);
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw wrongType(column, "an integer", value);
    }
    return value.longValue();
  }

  /** A boolean column that must be present; SQL NULL counts as false. */
  public boolean requireBoolean(final String column) {
    final JsonNode value = node.get(column);
    if (value == null) {
      throw new DecodeException(Kind.MISSING_FIELD, "column " + column + " is missing in the " + description);
    }
    if (value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw wrongType(column, "a boolean", value);
    }
    return value.booleanValue();
  }

  /**
   * A timestamptz column (ISO-8601 with offset, as Debezium writes it) in epoch milliseconds;
   * empty when missing or null.
   */
  public Optional<Long> epochMillis(final String column) {
    final Optional<String> text = text(column);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text.get(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant().toEpochMilli());
    } catch (DateTimeParseException e) {
      throw new DecodeException(Kind.WRONG_TYPE, "column " + column + " in the " + description
          + " is not an ISO-8601 timestamp with offset: '" + text.get() + "'", e);
    }
  }

  /**
   * The owner's user id: a text or integer column, present, not null and not blank.
   *
   * @throws DecodeException of kind {@link Kind#MISSING_OWNER} when absent
   */
  public String ownerId(final String column) {
    return identifier(column, Kind.MISSING_OWNER, "owner column ");
  }

  /**
   * An id column (uuid, text or integer) as text: present, not null and not blank.
   *
   * @throws DecodeException of kind {@link Kind#MISSING_FIELD} when absent
   */
  public String requireId(final String column) {
    return identifier(column, Kind.MISSING_FIELD, "column ");
  }

  private String identifier(final String column, final Kind missing, final String what) {
    final JsonNode value = node.get(column);
    if (value == null || value.isNull() || (value.isTextual() && value.textValue().isBlank())) {
      throw new DecodeException(missing,
          what + column + " is missing, null or empty in the " + description);
    }
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isIntegralNumber()) {
      return value.asText();
    }
    throw wrongType(column, "text or an integer", value);
  }

  private DecodeException wrongType(final String column, final String expected, final JsonNode value) {
    return new DecodeException(Kind.WRONG_TYPE, "column " + column + " in the " + description
        + " should be " + expected + ", got " + value.getNodeType().name().toLowerCase(Locale.ROOT)
        + " " + abbreviate(value.toString()));
  }

  static String abbreviate(final String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
