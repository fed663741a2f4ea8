package io.tidewire.protocol;

/**
 * The field names of protocol v1's JSON frames. Which op carries which field is described in
 * docs/PROTOCOL.md.
 *
 * <p>Constants only.
 */
public final class Field {

  /** Every frame: its {@link ClientOp} or {@link ServerOp}. */
  public static final String OP = "op";
  /** Every request, echoed by its reply (and by an {@code error} that answers it). */
  public static final String REF = "ref";
  /** The channel's name (see {@link Protocol#USER_CHANNEL}). */
  public static final String CHANNEL = "channel";
  /** An opaque position: where to resume ({@code subscribe}), or where the client now is. */
  public static final String CURSOR = "cursor";
  /** {@code subscribe}: the event type globs to deliver. */
  public static final String TYPES = "types";
  /**
   * {@code subscribe} (user channel only): {@code true} asks for the user's state ({@code snapshot})
   * when the subscription starts without a cursor.
   */
  public static final String SNAPSHOT = "snapshot";
  /** {@code auth}: the new token. */
  public static final String TOKEN = "token";
  /** {@code subscribed}: whether the stream continues right after the client's cursor. */
  public static final String RECOVERED = "recovered";
  /** {@code event}: the event's deterministic id. */
  public static final String ID = "id";
  /** {@code event}: the event's type, e.g. {@code generation.progress}. */
  public static final String TYPE = "type";
  /** {@code event}: epoch milliseconds. */
  public static final String TS = "ts";
  /** {@code event}, {@code snapshot}: the payload. */
  public static final String DATA = "data";
  /** {@code authenticated}: the new token's expiry, epoch seconds. */
  public static final String EXP = "exp";
  /** {@code error}: the {@link ProtocolCodes.ErrorCode}'s wire name. */
  public static final String CODE = "code";
  /** {@code error}: what went wrong, for people. */
  public static final String MESSAGE = "message";

  /** {@code join}: whether the member also receives its own broadcasts (default false). */
  public static final String SELF = "self";
  /** {@code join}: whether the member's broadcasts are acknowledged (default false). */
  public static final String ACK = "ack";
  /** {@code broadcast}: the application's event name, e.g. {@code typing}. */
  public static final String EVENT = "event";
  /** {@code broadcast}: the application's JSON object. */
  public static final String PAYLOAD = "payload";
  /** {@code broadcast} (server frame): the sender's user id. */
  public static final String FROM = "from";
  /** {@code track}: this connection's presence data, a JSON object. */
  public static final String META = "meta";
  /** {@code joined}: the channel's presence state, user id → list of {@code {ref, meta}}. */
  public static final String PRESENCE = "presence";
  /** {@code presence_diff}: presences that joined, user id → list of {@code {ref, meta}}. */
  public static final String JOINS = "joins";
  /** {@code presence_diff}: presences that left, user id → list of {@code {ref, meta}}. */
  public static final String LEAVES = "leaves";

  private Field() {}
}
