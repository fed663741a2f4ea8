package io.tidewire.gateway.broadcast;

/**
 * The limits of broadcast and presence (each a gateway setting, see docs/PROTOCOL.md).
 *
 * @param channelsPerSession channels one connection may have joined
 * @param maxPayloadBytes largest broadcast payload (UTF-8 bytes of its compact JSON)
 * @param broadcastsPerSecond broadcasts per second a connection may send on average
 * @param broadcastBurst broadcasts a connection may send at once
 * @param maxMetaBytes largest presence meta (UTF-8 bytes of its compact JSON)
 * @param tracksPerSecond tracks per second a connection may send on average
 * @param trackBurst tracks a connection may send at once
 * @param maxKeysPerChannel users that may be present in one channel
 */
public record ChannelLimits(int channelsPerSession, int maxPayloadBytes, double broadcastsPerSecond,
    int broadcastBurst, int maxMetaBytes, double tracksPerSecond, int trackBurst, int maxKeysPerChannel) {

  /** The defaults of the settings. */
  public static final ChannelLimits DEFAULTS = new ChannelLimits(100, 65_536, 10, 20, 1_024, 2, 10, 1_000);

  public ChannelLimits {
    if (channelsPerSession < 1 || maxPayloadBytes < 2 || !(broadcastsPerSecond > 0) || broadcastBurst < 1
        || maxMetaBytes < 2 || !(tracksPerSecond > 0) || trackBurst < 1 || maxKeysPerChannel < 1) {
      throw new IllegalArgumentException("channel limits must be positive: " + this);
    }
  }
}
