package io.tidewire.gateway.server;

import io.tidewire.gateway.HttpRoute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** Serves one {@link HttpRoute}; other methods get 405. */
final class RouteHandler extends HttpHandler {

  private final HttpRoute route;

  RouteHandler(final HttpRoute route) {
    this.route = route;
  }

  @Override
  public void service(final Request request, final Response response) throws IOException {
    final HttpRoute.Reply reply;
    if (!route.method().equalsIgnoreCase(request.getMethod().getMethodString())) {
      reply = HttpRoute.Reply.error(405, "use " + route.method());
    } else {
      final Map<String, String> query = new HashMap<>();
      for (final String name : request.getParameterNames()) {
        query.put(name, request.getParameter(name));
      }
      reply = route.handler().apply(Map.copyOf(query));
    }
    final byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(reply.status());
    response.setContentType(reply.contentType());
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
