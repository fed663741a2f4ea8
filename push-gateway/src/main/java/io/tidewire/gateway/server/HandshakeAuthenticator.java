package io.tidewire.gateway.server;

import io.tidewire.gateway.auth.BearerToken;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.TokenVerdict;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import jakarta.websocket.Endpoint;

/**
 * Tyrus handshake hook of {@link RealtimeEndpoint}: verifies the request's token again and puts
 * the principal into the new session's properties (Tyrus gives each handshake its own copy of the
 * properties). Refusing with 401 is {@link UpgradeGuard}'s job, in front of Tyrus, because Tyrus's
 * handshake cannot answer 401 without opening the connection; verifying here too means no
 * session ever opens with a principal that was not checked. It also claims the connection's
 * {@link RawConnection} from the {@link ConnectionRegistry}.
 *
 * <p>Thread-safe.
 */
final class HandshakeAuthenticator extends ServerEndpointConfig.Configurator {

  private final Function<HandshakeRequest, TokenVerdict> verify;
  private final Endpoint endpoint;
  private final ConnectionRegistry connections;

  HandshakeAuthenticator(final JwtVerifier verifier, final RealtimeEndpoint endpoint,
      final ConnectionRegistry connections) {
    this(request -> verifier.verify(BearerToken.find(request.getParameterMap(), request.getHeaders())),
        endpoint, connections);
  }

  /**
   * @param verify how the request's credential is verified
   * @param endpoint the endpoint every connection of this path is served by
   * @param connections where the upgrade guard registered the raw connections
   */
  HandshakeAuthenticator(final Function<HandshakeRequest, TokenVerdict> verify, final Endpoint endpoint,
      final ConnectionRegistry connections) {
    this.verify = verify;
    this.endpoint = endpoint;
    this.connections = connections;
  }

  @Override
  public void modifyHandshake(final ServerEndpointConfig config, final HandshakeRequest request,
      final HandshakeResponse response) {
    final TokenVerdict verdict = verify.apply(request);
    if (verdict instanceof TokenVerdict.Accepted accepted) {
      config.getUserProperties().put(RealtimeEndpoint.PRINCIPAL, accepted.principal());
    }
    final List<String> vsn = request.getParameterMap().get(PhoenixEndpoint.VSN);
    if (vsn != null && !vsn.isEmpty()) {
      config.getUserProperties().put(PhoenixEndpoint.VSN, vsn.get(0));
    }
    for (final Map.Entry<String, List<String>> header : request.getHeaders().entrySet()) {
      if (ConnectionRegistry.HEADER.equalsIgnoreCase(header.getKey()) && header.getValue() != null) {
        header.getValue().stream().findFirst().flatMap(connections::claim).ifPresent(
            raw -> config.getUserProperties().put(RealtimeEndpoint.CONNECTION, raw));
      }
    }
  }

  @Override
  public boolean checkOrigin(final String originHeaderValue) {
    return true; // tokens, not cookies, authenticate; any origin may connect
  }

  @Override
  public <T> T getEndpointInstance(final Class<T> endpointClass) {
    return endpointClass.cast(endpoint);
  }
}
