package io.tidewire.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves a JWKS document at {@code http://127.0.0.1:<port>/jwks.json}, replaceable at any time (key
 * rotation), and counts the fetches. Thread-safe; close it to stop.
 */
public final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final AtomicReference<String> document;
  private final AtomicInteger fetches = new AtomicInteger();

  private JwksServer(final String jwks) throws IOException {
    this.document = new AtomicReference<>(jwks);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      final byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  /** Starts serving {@code jwks}. */
  public static JwksServer serving(final String jwks) {
    try {
      return new JwksServer(jwks);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves {@code jwks} from now on. */
  public void publish(final String jwks) {
    document.set(jwks);
  }

  /** How many times the document was fetched. */
  public int fetches() {
    return fetches.get();
  }

  /** The document's URL. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
