package io.tidewire.client;

import io.tidewire.client.Frames.Inbound;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The client's {@link BroadcastChannel}s and the connection they talk through: joins (and re-tracks)
 * every wanted channel on each ready connection, routes the gateway's channel frames and errors to
 * their channel, and de-duplicates broadcasts by channel and id across connections.
 *
 * <p>Not thread-safe except {@link #channel}: everything else runs on the client's serial executor.
 */
final class BroadcastChannels {

  /** A ready connection, as the channels see it. */
  interface Link {
    /** Sends the frame {@code frame} builds for a fresh request ref; returns that ref. */
    String request(Function<String, String> frame);
  }

  private final Map<String, BroadcastChannel> channels = new ConcurrentHashMap<>();
  private final SerialExecutor serial;
  private final Delivery delivery;
  private final RecentIds recent;
  private final Duration timeout;
  private Optional<Link> link = Optional.empty();

  /**
   * @param dedupCapacity how many broadcast ids to remember
   * @param timeout how long an acknowledged broadcast, a track or a leave may wait for its answer
   */
  BroadcastChannels(final SerialExecutor serial, final Delivery delivery, final int dedupCapacity,
      final Duration timeout) {
    this.serial = serial;
    this.delivery = delivery;
    this.recent = new RecentIds(dedupCapacity);
    this.timeout = timeout;
  }

  /**
   * The channel called {@code name}, created on first use. Any thread.
   *
   * @throws IllegalArgumentException if the name is blank, or the channel exists with other options
   */
  BroadcastChannel channel(final String name, final ChannelOptions options) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("channel name must not be blank");
    }
    final BroadcastChannel channel = channels.computeIfAbsent(name,
        n -> new BroadcastChannel(n, options, this));
    if (!channel.options().equals(options)) {
      throw new IllegalArgumentException("channel " + name + " is already in use with " + channel.options());
    }
    return channel;
  }

  SerialExecutor serial() {
    return serial;
  }

  Delivery delivery() {
    return delivery;
  }

  Duration timeout() {
    return timeout;
  }

  /** The ready connection, if any. */
  Optional<Link> link() {
    return link;
  }

  /** Remembers a broadcast id; false if it was seen already (a duplicate). */
  boolean firstSeen(final Broadcast broadcast) {
    final String key = broadcast.channel() + '\u0000' + broadcast.id();
    if (recent.contains(key)) {
      return false;
    }
    recent.add(key);
    return true;
  }

  /** A connection is ready: (re)join every wanted channel through it. */
  void attached(final Link ready) {
    link = Optional.of(ready);
    channels.values().forEach(c -> c.attached(ready));
  }

  /** The connection ended: requests in flight fail, joined channels wait for the next connection. */
  void detached() {
    if (link.isPresent()) {
      link = Optional.empty();
      channels.values().forEach(BroadcastChannel::detached);
    }
  }

  /** The client closed for good. */
  void closed() {
    link = Optional.empty();
    channels.values().forEach(BroadcastChannel::closed);
  }

  /** A frame about a channel. */
  void received(final Inbound.ChannelFrame frame) {
    final BroadcastChannel channel = channels.get(frame.channel());
    if (channel != null) {
      channel.received(frame);
    }
  }

  /** An error answering a request; true if it answered one of the channels'. */
  boolean error(final String ref, final Inbound.ErrorFrame error) {
    for (final BroadcastChannel channel : channels.values()) {
      if (channel.error(ref, error)) {
        return true;
      }
    }
    return false;
  }
}
