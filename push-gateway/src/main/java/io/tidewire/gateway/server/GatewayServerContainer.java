package io.tidewire.gateway.server;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * The Tyrus container behind our own Grizzly {@code HttpServer}: it only holds the WebSocket
 * engine (Tyrus's own {@code Server} binds its own listener and cannot share the port with other
 * HTTP handlers). {@link #stop()} releases Tyrus's executors; the HTTP server is stopped by
 * {@link HttpFront}.
 *
 * <p>Thread-safe after {@link #deploy}.
 */
final class GatewayServerContainer extends TyrusServerContainer {

  /** Context path the engine and the Grizzly add-on share. */
  static final String CONTEXT_PATH = "/";

  private final WebSocketEngine engine;

  /** @param incomingBufferSize largest frame the transport buffers before giving up (1011) */
  GatewayServerContainer(final int incomingBufferSize) {
    super((Set<Class<?>>) null);
    this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
  }

  /** Registers the endpoints, then ends the deployment. */
  void deploy(final ServerEndpointConfig... configs) throws DeploymentException {
    for (final ServerEndpointConfig config : configs) {
      register(config);
    }
    doneDeployment();
  }

  @Override
  public void register(final Class<?> endpointClass) throws DeploymentException {
    engine.register(endpointClass, CONTEXT_PATH);
  }

  @Override
  public void register(final ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
    engine.register(serverEndpointConfig, CONTEXT_PATH);
  }

  @Override
  public Map<String, Object> getProperties() {
    return Map.of();
  }

  @Override
  public WebSocketEngine getWebSocketEngine() {
    return engine;
  }
}
