package io.tidewire.gateway.protocol;

import java.util.Objects;

/** What {@link FrameDecoder} made of a text frame: a request, or the error to answer it with. */
public sealed interface Decoded {

  /**
   * A well-formed request.
   *
   * @param frame the request
   */
  record Request(ClientFrame frame) implements Decoded {
    public Request {
      Objects.requireNonNull(frame, "frame");
    }
  }

  /**
   * A frame that is not a well-formed request.
   *
   * @param error the {@code bad_request} error to send back
   */
  record Invalid(ProtocolError error) implements Decoded {
    public Invalid {
      Objects.requireNonNull(error, "error");
    }
  }
}
