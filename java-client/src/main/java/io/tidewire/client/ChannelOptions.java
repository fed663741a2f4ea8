package io.tidewire.client;

/**
 * How a {@link BroadcastChannel} is joined. Immutable.
 *
 * @param self whether this client receives its own broadcasts too (default false)
 * @param ack whether the gateway acknowledges each broadcast, completing
 *     {@link BroadcastChannel#broadcast}'s future with the message id (default false: the future
 *     completes once the frame is handed to the socket)
 */
public record ChannelOptions(boolean self, boolean ack) {

  /** Not self, not acknowledged. */
  public static ChannelOptions defaults() {
    return new ChannelOptions(false, false);
  }

  /** These options, with {@code self}. */
  public ChannelOptions withSelf(final boolean self) {
    return new ChannelOptions(self, ack);
  }

  /** These options, with {@code ack}. */
  public ChannelOptions withAck(final boolean ack) {
    return new ChannelOptions(self, ack);
  }
}
