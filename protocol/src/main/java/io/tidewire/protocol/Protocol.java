package io.tidewire.protocol;

/**
 * Where and how a client reaches the gateway, and the channels it can name (protocol v1, see
 * docs/PROTOCOL.md). The frames' ops and fields are {@link ClientOp}, {@link ServerOp} and
 * {@link Field}; error and close codes are {@link ProtocolCodes}.
 *
 * <p>Constants only.
 */
public final class Protocol {

  /** The protocol's version, part of {@link #PATH}. */
  public static final int VERSION = 1;

  /** The gateway's WebSocket endpoint. */
  public static final String PATH = "/v" + VERSION + "/realtime";

  /** The query parameter of the upgrade request that may carry the token. */
  public static final String TOKEN_QUERY_PARAMETER = "token";

  /**
   * The authentication scheme of the upgrade request's {@code Authorization} header that may carry
   * the token instead ({@code Authorization: Bearer <token>}).
   */
  public static final String BEARER_SCHEME = "Bearer";

  /** The caller's own events. */
  public static final String USER_CHANNEL = "user";

  /** {@code user:<id>}: the caller's own events, spelled with the caller's own user id. */
  public static final String USER_CHANNEL_PREFIX = USER_CHANNEL + ":";

  /** Public feed events. */
  public static final String FEED_CHANNEL = "feed";

  /** Row changes of public rows ({@code row.<table>} events of {@code realtime.public-changes}). */
  public static final String PUBLIC_CHANNEL = "public";

  /** The path of the Supabase Realtime (Phoenix channels) endpoint on the gateway's port. */
  public static final String SUPABASE_PATH = "/realtime/v1/websocket";

  private Protocol() {}
}
