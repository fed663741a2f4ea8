package io.tidewire.gateway.server;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.BearerToken;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.http.util.Header;
import org.glassfish.grizzly.memory.Buffers;

/**
 * A Grizzly filter in front of Tyrus's WebSocket filter that refuses a WebSocket upgrade without a
 * valid token with {@code HTTP 401} (a JSON {@code error} body, {@code WWW-Authenticate: Bearer})
 * and closes the connection. Valid upgrades pass on to Tyrus, their connection registered in the
 * {@link ConnectionRegistry}; plain HTTP requests pass untouched. Every upgrade request is checked,
 * whatever its path.
 *
 * <p>Thread-safe.
 */
final class UpgradeGuard extends BaseFilter {

  /** Marks a request whose token was checked, so the WebSocket frames that follow it pass. */
  private static final Attribute<Boolean> CHECKED =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradeGuard.class.getName() + ".checked");

  private final JwtVerifier verifier;
  private final GatewayMetrics metrics;
  private final ConnectionRegistry connections;

  UpgradeGuard(final JwtVerifier verifier, final GatewayMetrics metrics,
      final ConnectionRegistry connections) {
    this.verifier = verifier;
    this.metrics = metrics;
    this.connections = connections;
  }

  @Override
  public NextAction handleRead(final FilterChainContext ctx) throws IOException {
    final Object message = ctx.getMessage();
    if (!(message instanceof HttpContent)) {
      return ctx.getInvokeAction();
    }
    final HttpHeader header = ((HttpContent) message).getHttpHeader();
    if (!header.isRequest() || !"websocket".equalsIgnoreCase(header.getUpgrade())) {
      return ctx.getInvokeAction();
    }
    final HttpRequestPacket request = (HttpRequestPacket) header;
    if (Boolean.TRUE.equals(CHECKED.get(request))) {
      return ctx.getInvokeAction();
    }
    final Optional<String> token = BearerToken.fromQueryString(request.getQueryString())
        .or(() -> BearerToken.fromAuthorization(request.getHeader(Header.Authorization)));
    final TokenVerdict verdict = verifier.verify(token);
    if (verdict instanceof TokenVerdict.Accepted) {
      CHECKED.set(request, Boolean.TRUE);
      request.getHeaders().removeHeader(ConnectionRegistry.HEADER);
      request.addHeader(ConnectionRegistry.HEADER, connections.register(ctx.getConnection()));
      return ctx.getInvokeAction();
    }
    reject(ctx, request, (TokenVerdict.Rejected) verdict);
    return ctx.getStopAction();
  }

  @SuppressWarnings("rawtypes") // Grizzly's write() takes CompletionHandler<WriteResult> (raw)
  private void reject(final FilterChainContext ctx, final HttpRequestPacket request,
      final TokenVerdict.Rejected rejected) {
    metrics.upgradeRejected(rejected.reason().name().toLowerCase(Locale.ROOT));
    final ErrorCode code = rejected.reason() == TokenVerdict.Reason.EXPIRED
        ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED;
    final byte[] body = FrameEncoder.error(new ProtocolError(Optional.empty(), code, rejected.message()))
        .getBytes(StandardCharsets.UTF_8);
    final HttpResponsePacket response = request.getResponse();
    response.setProtocol(Protocol.HTTP_1_1);
    response.setStatus(401);
    response.setReasonPhrase("Unauthorized");
    response.setHeader(Header.WWWAuthenticate, "Bearer realm=\"tidewire\", error=\"invalid_token\"");
    response.setHeader(Header.Connection, "close");
    response.setContentType("application/json");
    response.setContentLength(body.length);
    final Buffer content = Buffers.wrap(ctx.getMemoryManager(), body);
    final Connection<?> connection = ctx.getConnection();
    ctx.write(HttpContent.builder(response).content(content).last(true).build(),
        new EmptyCompletionHandler<WriteResult>() {
          @Override
          public void completed(final WriteResult result) {
            connection.closeSilently();
          }

          @Override
          public void failed(final Throwable throwable) {
            connection.closeSilently();
          }
        });
  }
}
