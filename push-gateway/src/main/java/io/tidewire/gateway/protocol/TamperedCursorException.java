package io.tidewire.gateway.protocol;

/** A cursor whose MAC does not verify: edited by the client, or written under another key. */
public final class TamperedCursorException extends InvalidCursorException {

  private static final long serialVersionUID = 1L;

  public TamperedCursorException() {
    super("cursor does not verify (edited, or issued by another deployment)");
  }
}
