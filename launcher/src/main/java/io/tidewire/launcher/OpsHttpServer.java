package io.tidewire.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health} (liveness), {@code GET /ready} (readiness: the capture streams, the
 * processor runs) and {@code GET /metrics} (Prometheus text) for the parts that have no HTTP
 * server of their own, on {@code TIDEWIRE_OPS_HOST} (loopback unless told otherwise). The gateway
 * serves health and metrics on its own ops listener.
 */
final class OpsHttpServer implements AutoCloseable {

  private final HttpServer server;

  OpsHttpServer(final String host, final int port, final String part,
      final PrometheusMeterRegistry registry, final BooleanSupplier healthy,
      final BooleanSupplier ready) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
    server.createContext("/health", ex -> status(ex, part, healthy.getAsBoolean()));
    server.createContext("/ready", ex -> status(ex, part, ready.getAsBoolean()));
    server.createContext("/metrics", ex -> respond(ex, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void status(final HttpExchange ex, final String part, final boolean up)
      throws IOException {
    respond(ex, up ? 200 : 503, "application/json",
        "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"part\":\"" + part + "\"}");
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
