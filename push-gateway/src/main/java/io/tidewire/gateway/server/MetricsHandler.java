package io.tidewire.gateway.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /metrics}: the Prometheus text of the registry the launcher passed in, if it is (or
 * contains) a {@link PrometheusMeterRegistry}; 404 otherwise. Thread-safe.
 */
final class MetricsHandler extends HttpHandler {

  /** Prometheus text exposition format 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Optional<PrometheusMeterRegistry> prometheus;

  MetricsHandler(final MeterRegistry registry) {
    this.prometheus = find(registry);
  }

  static Optional<PrometheusMeterRegistry> find(final MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry) {
      return Optional.of((PrometheusMeterRegistry) registry);
    }
    if (registry instanceof CompositeMeterRegistry) {
      for (final MeterRegistry inner : ((CompositeMeterRegistry) registry).getRegistries()) {
        final Optional<PrometheusMeterRegistry> found = find(inner);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void service(final Request request, final Response response) throws Exception {
    if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
      response.sendError(405);
      return;
    }
    if (prometheus.isEmpty()) {
      response.sendError(404, "no Prometheus registry configured");
      return;
    }
    final byte[] bytes = prometheus.get().scrape().getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType(CONTENT_TYPE);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
