package io.tidewire.capture;

/**
 * Failure of the change capture: a record Kafka did not acknowledge, a topic that could not be
 * created, a database that is not set up for logical decoding, or an engine that stopped.
 * Unchecked: callers either let it end the process or report it.
 */
public class CaptureException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, with enough context to act on
   */
  public CaptureException(final String message) {
    super(message);
  }

  /**
   * @param message what failed, with enough context to act on
   * @param cause the underlying error
   */
  public CaptureException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
