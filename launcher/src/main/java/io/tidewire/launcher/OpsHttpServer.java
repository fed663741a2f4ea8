package io.tidewire.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /health} (liveness), {@code GET /ready} (readiness: the capture streams, the
 * processor runs) and {@code GET /metrics} (Prometheus text) for the parts that have no HTTP
 * server of their own, on {@code TIDEWIRE_OPS_HOST} (loopback unless told otherwise). The gateway
 * serves health and metrics on its own ops listener.
 */
final class OpsHttpServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;

  OpsHttpServer(final String host, final int port, final String part,
      final PrometheusMeterRegistry registry, final BooleanSupplier healthy,
      final BooleanSupplier ready, final Supplier<Map<String, Object>> details) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
    server.createContext("/health", ex -> status(ex, part, healthy.getAsBoolean(), details.get()));
    server.createContext("/ready", ex -> status(ex, part, ready.getAsBoolean(), details.get()));
    server.createContext("/metrics", ex -> respond(ex, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void status(final HttpExchange ex, final String part, final boolean up,
      final Map<String, Object> details) throws IOException {
    final Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "UP" : "DOWN");
    body.put("part", part);
    body.putAll(details);
    respond(ex, up ? 200 : 503, "application/json", JSON.writeValueAsString(body));
  }

  private static void respond(final HttpExchange ex, final int status, final String type,
      final String body) throws IOException {
    final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
