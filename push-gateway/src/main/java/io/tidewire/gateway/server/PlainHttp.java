package io.tidewire.gateway.server;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * A handler that answers as plain HTTP/1.1 a request that also asked to upgrade to another
 * protocol: every HTTP handler of the gateway is wrapped in it.
 *
 * <p>Why: Grizzly marks a request that carries an {@code Upgrade} header to skip the response's
 * "content modifiers" (its {@code Content-Type}, among others) and clears the mark only after the
 * handler returns. A response whose headers are committed while the handler runs — a body larger
 * than the output buffer, such as a scrape of every meter — then goes out without
 * {@code Content-Type}. The JDK's {@code HttpClient} sends {@code Upgrade: h2c} with every plain
 * {@code http://} request unless told to use HTTP/1.1, so a client does not have to be exotic to
 * hit it. No handler here upgrades (a WebSocket upgrade is taken by Tyrus before any handler, and
 * h2c is not offered), so the mark is cleared before the handler runs.
 *
 * <p>Thread-safe if the wrapped handler is.
 */
final class PlainHttp extends HttpHandler {

  private final HttpHandler handler;

  private PlainHttp(final HttpHandler handler) {
    super(handler.getName());
    this.handler = handler;
  }

  /** {@code handler}, answering every request as plain HTTP. */
  static HttpHandler of(final HttpHandler handler) {
    return new PlainHttp(handler);
  }

  @Override
  public void service(final Request request, final Response response) throws Exception {
    request.getRequest().setIgnoreContentModifiers(false);
    handler.service(request, response);
  }
}
