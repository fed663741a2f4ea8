package io.tidewire.infra;

/** An embedded server could not be started or stopped. */
public class InfraException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InfraException(final String message, final Throwable cause) {
    super(message, cause);
  }

  public InfraException(final String message) {
    super(message);
  }
}
