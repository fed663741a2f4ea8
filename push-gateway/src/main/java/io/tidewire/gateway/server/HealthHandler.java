package io.tidewire.gateway.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /health}: {@code 200 {"status":"UP",…}} when every check passes, else
 * {@code 503 {"status":"DOWN",…}}, with each check and the open connections. Thread-safe.
 */
final class HealthHandler extends HttpHandler {

  /** What the handler reports. */
  record Report(Map<String, Boolean> checks, int connections) {
    boolean up() {
      return checks.values().stream().allMatch(Boolean::booleanValue);
    }
  }

  private static final JsonFactory JSON = new JsonFactory();

  private final Supplier<Report> report;

  HealthHandler(final Supplier<Report> report) {
    this.report = report;
  }

  @Override
  public void service(final Request request, final Response response) throws Exception {
    if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
      response.sendError(405);
      return;
    }
    final Report now = report.get();
    final StringWriter body = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(body)) {
      g.writeStartObject();
      g.writeStringField("status", now.up() ? "UP" : "DOWN");
      g.writeObjectFieldStart("checks");
      for (final Map.Entry<String, Boolean> check : now.checks().entrySet()) {
        g.writeBooleanField(check.getKey(), check.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("connections", now.connections());
      g.writeEndObject();
    }
    final byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    response.setStatus(now.up() ? 200 : 503);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
