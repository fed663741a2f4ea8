package io.tidewire.client;

/** A failure of the Tidewire client, e.g. {@link TidewireClient#connect()} ending without ever connecting. */
public class TidewireClientException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public TidewireClientException(final String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public TidewireClientException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
