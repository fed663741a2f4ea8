package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorException;
import java.util.Locale;
import java.util.Objects;

/**
 * A change record cannot be turned into events, or an internal record cannot be read. The record goes to the dead-letter topic with
 * {@link #reason()} and {@link #exceptionClass()} in its headers; the stream goes on.
 */
public final class DecodeException extends ProcessorException {

  private static final long serialVersionUID = 1L;

  /** What kind of problem it is; the {@link #tag()} is a bounded metric tag and reason prefix. */
  public enum Kind {
    /** Key or value is not JSON, or the value is not a JSON object. */
    NOT_JSON,
    /** A required envelope field or column is missing or null. */
    MISSING_FIELD,
    /** A field or column has the wrong JSON type or format. */
    WRONG_TYPE,
    /** {@code op} is not one of c, u, d, r. */
    UNKNOWN_OP,
    /** The owner column of a user-owned table is missing, null or empty. */
    MISSING_OWNER,
    /**
     * A record of an internal (repartition) topic does not deserialize: corrupt, or written in a
     * format this version does not read.
     */
    UNREADABLE,
    /**
     * A stage after the first threw while processing the record (the credits join, the folds, a
     * punctuator): Kafka Streams' processing exception handler parked its source record.
     */
    PROCESSING,
    /** An output record is larger than the producer's {@code max.request.size} or the topic allows. */
    RECORD_TOO_LARGE,
    /** An output record could not be serialized. */
    UNSERIALIZABLE,
    /** Anything else: a bug, caught so that one record cannot stop the stream. */
    UNEXPECTED;

    /** Lower-case name, e.g. {@code missing_owner}. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;

  public DecodeException(final Kind kind, final String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public DecodeException(final Kind kind, final String message, final Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }

  /** {@code kind: message}, the dead-letter reason header. */
  public String reason() {
    return kind.tag() + ": " + getMessage();
  }

  /** The class of the underlying exception, or of this one when there is none. */
  public String exceptionClass() {
    return (getCause() != null ? getCause() : this).getClass().getName();
  }
}
