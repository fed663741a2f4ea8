package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.session.OutboundFrame;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TyrusTransportTest {

  private final List<String> sentThroughTyrus = new ArrayList<>();

  /** A session whose async remote records texts and completes them at once. */
  private Session session() {
    final RemoteEndpoint.Async async = (RemoteEndpoint.Async) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
          if ("sendText".equals(method.getName()) && args.length == 2) {
            sentThroughTyrus.add((String) args[0]);
            ((SendHandler) args[1]).onResult(new SendResult());
          }
          return null;
        });
    return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getAsyncRemote" -> async;
          case "isOpen" -> true;
          case "getId" -> "s1";
          default -> null;
        });
  }

  @Test
  void framesGoThroughTyrusWhenTheConnectionMayNotWriteRaw() {
    // a connection behind an SSL filter: writing to it would throw (and bypass the encryption)
    final TyrusTransport transport =
        new TyrusTransport(session(), Optional.of(new RawConnection(null, false, null)));
    final AtomicReference<Optional<Throwable>> result = new AtomicReference<>();

    transport.send(OutboundFrame.of("{\"op\":\"pong\"}"), result::set);

    assertThat(sentThroughTyrus).containsExactly("{\"op\":\"pong\"}");
    assertThat(result.get()).isEmpty();
  }
}
