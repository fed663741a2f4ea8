package io.tidewire.testing;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import org.glassfish.tyrus.server.Server;

/**
 * A Tyrus server on a free local port whose one endpoint does what a text frame says:
 * {@code close:<code>}, {@code burst:<n>} (n small event frames), {@code fragments:<a>|<b>|…}
 * (one message in parts); anything else comes back, as do binary frames.
 */
final class EchoServer implements AutoCloseable {

  private final Server server;

  EchoServer() throws Exception {
    server = new Server("127.0.0.1", 0, "/", null, Endpoint.class);
    server.start();
  }

  URI endpoint() {
    return WsClient.endpoint(server.getPort());
  }

  @Override
  public void close() {
    server.stop();
  }

  /** The endpoint; Tyrus makes one per connection. */
  @ServerEndpoint(WsClient.PATH)
  public static final class Endpoint {

    @OnMessage
    public void onText(final String text, final Session session) throws IOException {
      if (text.startsWith("close:")) {
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(
            Integer.parseInt(text.substring(6))), "asked to"));
      } else if (text.startsWith("burst:")) {
        for (int i = 0; i < Integer.parseInt(text.substring(6)); i++) {
          session.getBasicRemote().sendText("{\"op\":\"event\",\"id\":\"e" + i + "\"}");
        }
      } else if (text.startsWith("fragments:")) {
        final String[] parts = text.substring(10).split("\\|");
        for (int i = 0; i < parts.length; i++) {
          session.getBasicRemote().sendText(parts[i], i == parts.length - 1);
        }
      } else {
        session.getBasicRemote().sendText(text);
      }
    }

    @OnMessage
    public void onBinary(final ByteBuffer data, final Session session) throws IOException {
      session.getBasicRemote().sendBinary(data);
    }
  }
}
