package io.tidewire.schemas;

/**
 * Header names on {@link Topics#DEAD_LETTER} records. Values are UTF-8 strings; the record's key
 * and value are the original bytes.
 */
public final class DeadLetterHeaders {

  /** Human-readable reason the record could not be processed. */
  public static final String REASON = "tidewire.dlq.reason";
  /** Class name of the exception, when one was thrown. */
  public static final String EXCEPTION = "tidewire.dlq.exception";
  /** Topic the record was read from. */
  public static final String SOURCE_TOPIC = "tidewire.dlq.topic";
  /** Partition the record was read from (decimal). */
  public static final String SOURCE_PARTITION = "tidewire.dlq.partition";
  /** Offset the record was read at (decimal). */
  public static final String SOURCE_OFFSET = "tidewire.dlq.offset";
  /** Which part rejected it, e.g. {@code stream-processor}. */
  public static final String STAGE = "tidewire.dlq.stage";

  private DeadLetterHeaders() {}
}
