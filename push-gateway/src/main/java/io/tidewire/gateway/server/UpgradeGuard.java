package io.tidewire.gateway.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.gateway.ConnectionLimits;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.BearerToken;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.ICloseType;
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
 * and one over a {@linkplain ConnectionCaps connection cap} with {@code HTTP 429} and
 * {@code Retry-After}, and closes the connection. Valid upgrades pass on to Tyrus, their connection
 * registered in the {@link ConnectionRegistry}, counted against the caps until it closes, and freed
 * of its {@link HandshakeDeadline}; plain HTTP requests pass untouched (each complete one re-arms
 * the deadline). Every upgrade request is checked, whatever its path.
 *
 * <p>Thread-safe.
 */
final class UpgradeGuard extends BaseFilter {

  /** The query parameter (or header) of Supabase's API key. */
  static final String SUPABASE_API_KEY = "apikey";

  /** Marks a request whose token was checked, so the WebSocket frames that follow it pass. */
  private static final Attribute<Boolean> CHECKED =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradeGuard.class.getName() + ".checked");

  private final JwtVerifier verifier;
  private final GatewayMetrics metrics;
  private final ConnectionRegistry connections;
  private final ConnectionCaps caps;
  private final ClientAddress clientAddress;
  private final String clientAddressHeader;
  private final HandshakeDeadline deadline;
  private final long retryAfterSeconds;
  private final UpgradedReads upgradedReads;

  UpgradeGuard(final JwtVerifier verifier, final GatewayMetrics metrics,
      final ConnectionRegistry connections, final ConnectionLimits limits,
      final HandshakeDeadline deadline, final int maxFrameBytes) {
    this.upgradedReads = new UpgradedReads(metrics, connections.lingeringClose(), maxFrameBytes);
    this.verifier = verifier;
    this.metrics = metrics;
    this.connections = connections;
    this.caps = new ConnectionCaps(limits.maxConnections(), limits.maxPerUser(), limits.maxPerAddress());
    this.clientAddress = new ClientAddress(limits.trustedProxies());
    this.clientAddressHeader = limits.clientAddressHeader();
    this.deadline = deadline;
    this.retryAfterSeconds = Math.max(1, limits.retryAfter().toSeconds());
  }

  /** The caps (for tests). */
  ConnectionCaps caps() {
    return caps;
  }

  /** The deadline filter that goes at the front of the chain. */
  HandshakeDeadline deadline() {
    return deadline;
  }

  /** The filter that goes right before the HTTP codec: upgraded reads go past it. */
  UpgradedReads upgradedReads() {
    return upgradedReads;
  }

  /** The raw-connection registry (whose raw frame writes the add-on may turn off). */
  ConnectionRegistry connections() {
    return connections;
  }

  @Override
  public NextAction handleRead(final FilterChainContext ctx) throws IOException {
    final Object message = ctx.getMessage();
    if (!(message instanceof HttpContent)) {
      return ctx.getInvokeAction();
    }
    final HttpHeader header = ((HttpContent) message).getHttpHeader();
    if (!header.isRequest() || !"websocket".equalsIgnoreCase(header.getUpgrade())) {
      if (header.isRequest() && ((HttpContent) message).isLast()) {
        deadline.arm(ctx.getConnection());
      }
      return ctx.getInvokeAction();
    }
    final HttpRequestPacket request = (HttpRequestPacket) header;
    if (Boolean.TRUE.equals(CHECKED.get(request))) {
      return framesWithinLimit(ctx, (HttpContent) message);
    }
    final boolean supabase = io.tidewire.protocol.Protocol.SUPABASE_PATH.equals(request.getRequestURI());
    final TokenVerdict verdict;
    if (supabase) {
      // Supabase's clients send the project's API key (an anon key, no user) as `apikey`
      verdict = BearerToken.parameter(request.getQueryString(), SUPABASE_API_KEY)
          .or(() -> Optional.ofNullable(request.getHeader(SUPABASE_API_KEY)))
          .map(verifier::verifyApiKey)
          .orElseGet(() -> new TokenVerdict.Rejected(TokenVerdict.Reason.MISSING, "no apikey"));
    } else {
      final Optional<String> token = BearerToken.fromQueryString(request.getQueryString())
          .or(() -> BearerToken.fromAuthorization(request.getHeader(Header.Authorization)));
      verdict = verifier.verify(token);
    }
    if (verdict instanceof TokenVerdict.Accepted accepted) {
      final Connection<?> connection = ctx.getConnection();
      final String address = addressOf(connection, request);
      // anonymous (anon key) connections are capped per address, under a key no user id can take
      final String owner = accepted.principal().userId().equals(JwtVerifier.ANONYMOUS)
          ? "\u0000anon " + address : accepted.principal().userId();
      final ConnectionCaps.Result admitted = caps.admit(owner, address);
      if (admitted instanceof ConnectionCaps.Result.Refused refused) {
        metrics.connectionRefused(refused.refusal().tag());
        refuse(ctx, request, 429, "Too Many Requests", Header.RetryAfter, Long.toString(retryAfterSeconds),
            new ProtocolError(Optional.empty(), ErrorCode.RATE_LIMITED,
                "too many connections (" + refused.refusal().tag() + " limit); retry later"));
        return ctx.getStopAction();
      }
      final ConnectionCaps.Admission admission = ((ConnectionCaps.Result.Admitted) admitted).admission();
      connection.addCloseListener((CloseListener<Closeable, ICloseType>) (c, type) -> admission.release());
      deadline.disarm(connection);
      CHECKED.set(request, Boolean.TRUE);
      upgradedReads.admitted(connection);
      request.getHeaders().removeHeader(ConnectionRegistry.HEADER);
      request.addHeader(ConnectionRegistry.HEADER, connections.register(ctx.getConnection()));
      return framesWithinLimit(ctx, (HttpContent) message);
    }
    if (supabase) {
      rejectApiKey(ctx, request, (TokenVerdict.Rejected) verdict);
    } else {
      reject(ctx, request, (TokenVerdict.Rejected) verdict);
    }
    return ctx.getStopAction();
  }

  /**
   * Passes the frames on unless one announces a payload over the limit: then the connection is
   * closed with 1009 ({@link UpgradedReads#withinLimit}). Only for reads before the connection's
   * reads bypass the codec ({@link UpgradedReads}).
   */
  private NextAction framesWithinLimit(final FilterChainContext ctx, final HttpContent content) {
    return upgradedReads.withinLimit(ctx.getConnection(), content.getContent())
        ? ctx.getInvokeAction() : ctx.getStopAction();
  }

  @SuppressWarnings("rawtypes") // Grizzly's write() takes CompletionHandler<WriteResult> (raw)
  private static EmptyCompletionHandler<WriteResult> closing(final Connection<?> connection) {
    return new EmptyCompletionHandler<WriteResult>() {
      @Override
      public void completed(final WriteResult result) {
        connection.closeSilently();
      }

      @Override
      public void failed(final Throwable throwable) {
        connection.closeSilently();
      }
    };
  }

  private String addressOf(final Connection<?> connection, final HttpRequestPacket request) {
    final Object peer = connection.getPeerAddress();
    final String peerAddress = peer instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : String.valueOf(peer);
    return clientAddress.of(peerAddress, Optional.ofNullable(request.getHeader(clientAddressHeader)));
  }

  private void reject(final FilterChainContext ctx, final HttpRequestPacket request,
      final TokenVerdict.Rejected rejected) {
    metrics.upgradeRejected(rejected.reason().name().toLowerCase(Locale.ROOT));
    final ErrorCode code = rejected.reason() == TokenVerdict.Reason.EXPIRED
        ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED;
    refuse(ctx, request, 401, "Unauthorized", Header.WWWAuthenticate,
        "Bearer realm=\"tidewire\", error=\"invalid_token\"",
        new ProtocolError(Optional.empty(), code, rejected.message()));
  }

  /** Refuses a Supabase upgrade as Supabase does: 401 with {@code {"error": "..."}}. */
  private void rejectApiKey(final FilterChainContext ctx, final HttpRequestPacket request,
      final TokenVerdict.Rejected rejected) {
    metrics.upgradeRejected(rejected.reason().name().toLowerCase(Locale.ROOT));
    final String message = switch (rejected.reason()) {
      case MISSING -> "API key is missing";
      case EXPIRED -> "Token has expired";
      case MISSING_CLAIM -> "Fields `role` and `exp` are required in JWT";
      case BAD_SIGNATURE, UNKNOWN_KEY -> "Failed to validate JWT signature";
      default -> "The token provided is not a valid JWT";
    };
    final ObjectNode body = JsonNodeFactory.instance.objectNode().put("error", message);
    respond(ctx, request, 401, "Unauthorized", Header.WWWAuthenticate,
        "Bearer realm=\"tidewire\", error=\"invalid_token\"", body.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Answers the upgrade with {@code status}, one extra header and an error body, then closes. */
  @SuppressWarnings("rawtypes") // Grizzly's write() takes CompletionHandler<WriteResult> (raw)
  private void refuse(final FilterChainContext ctx, final HttpRequestPacket request, final int status,
      final String reasonPhrase, final Header extraHeader, final String extraValue, final ProtocolError error) {
    respond(ctx, request, status, reasonPhrase, extraHeader, extraValue,
        FrameEncoder.error(error).getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("rawtypes")
  private void respond(final FilterChainContext ctx, final HttpRequestPacket request, final int status,
      final String reasonPhrase, final Header extraHeader, final String extraValue, final byte[] body) {
    final HttpResponsePacket response = request.getResponse();
    response.setProtocol(Protocol.HTTP_1_1);
    response.setStatus(status);
    response.setReasonPhrase(reasonPhrase);
    response.setHeader(extraHeader, extraValue);
    response.setHeader(Header.Connection, "close");
    response.setContentType("application/json");
    response.setContentLength(body.length);
    final Buffer content = Buffers.wrap(ctx.getMemoryManager(), body);
    ctx.write(HttpContent.builder(response).content(content).last(true).build(), closing(ctx.getConnection()));
  }
}
