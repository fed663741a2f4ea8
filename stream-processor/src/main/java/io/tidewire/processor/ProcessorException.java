package io.tidewire.processor;

/**
 * Base of the stream processor's unchecked exceptions: a failure to start, to provision topics,
 * or a misuse of the lifecycle.
 */
public class ProcessorException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ProcessorException(final String message) {
    super(message);
  }

  public ProcessorException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
