package io.tidewire.gateway;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * An extra HTTP endpoint served on the gateway's port next to the WebSocket, {@code /health},
 * {@code /metrics} and static files — e.g. the demo's token endpoint, which exists only in demo
 * mode because only the demo adds it.
 *
 * @param method HTTP method, e.g. {@code GET}
 * @param path exact path, e.g. {@code /demo/token}
 * @param handler from the query parameters to the reply; called on a Grizzly worker thread, so
 *     it must be thread-safe and must not block for long
 */
public record HttpRoute(String method, String path, Function<Map<String, String>, Reply> handler) {

  public HttpRoute {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(handler, "handler");
  }

  /**
   * What a route answers.
   *
   * @param status HTTP status
   * @param contentType content type of the body
   * @param body the body
   */
  public record Reply(int status, String contentType, String body) {

    /** A 200 with a JSON body. */
    public static Reply json(final String body) {
      return new Reply(200, "application/json", body);
    }

    /** An error with a JSON body {@code {"error": message}}. */
    public static Reply error(final int status, final String message) {
      return new Reply(status, "application/json",
          "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
    }
  }
}
