package io.tidewire.gateway.broadcast;

import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import io.tidewire.gateway.presence.PresenceTracker;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The members of each channel on this gateway and every gateway's presences
 * ({@link PresenceTracker}), under one lock: that lock is the channels' seam. A join files the
 * member and takes the channel's presence state in one step, so every diff and broadcast handed
 * over after it comes after the state; presence records and broadcasts are applied one at a time
 * and their diffs handed to the channel's members in order. Members only queue what they are
 * handed ({@link Member}), so nothing waits under the lock.
 *
 * <p>Thread-safe.
 */
public final class ChannelHub {

  private final PresenceTracker tracker;
  private final Map<String, Set<Member>> members = new HashMap<>();
  private final Map<Member, Set<String>> joined = new HashMap<>();

  /** @param tracker every gateway's presences; the hub owns it from now on */
  public ChannelHub(final PresenceTracker tracker) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
  }

  /** Files {@code member} under {@code channel} and runs {@code joinedAt} with the channel's presences. */
  public synchronized void join(final Member member, final String channel,
      final Consumer<List<Presence>> joinedAt) {
    members.computeIfAbsent(channel, c -> new LinkedHashSet<>()).add(member);
    joined.computeIfAbsent(member, m -> new LinkedHashSet<>()).add(channel);
    joinedAt.accept(tracker.state(channel));
  }

  /** Removes {@code member} from {@code channel}. */
  public synchronized void leave(final Member member, final String channel) {
    final Set<String> channels = joined.get(member);
    if (channels != null && channels.remove(channel) && channels.isEmpty()) {
      joined.remove(member);
    }
    removeMember(member, channel);
  }

  /** Removes {@code member} from every channel. */
  public synchronized void leaveAll(final Member member) {
    final Set<String> channels = joined.remove(member);
    if (channels != null) {
      channels.forEach(channel -> removeMember(member, channel));
    }
  }

  private void removeMember(final Member member, final String channel) {
    final Set<Member> filed = members.get(channel);
    if (filed != null && filed.remove(member) && filed.isEmpty()) {
      members.remove(channel);
    }
  }

  /**
   * Hands a broadcast to the members of its channel.
   *
   * @return how many members it was handed to
   */
  public synchronized int deliver(final BroadcastMessage message) {
    final Set<Member> filed = members.get(message.channel());
    if (filed == null) {
      return 0;
    }
    for (final Member member : List.copyOf(filed)) {
      member.broadcast(message);
    }
    return filed.size();
  }

  /** A presence record was read: a put. */
  public synchronized void put(final Presence presence, final long recordMillis, final long now) {
    dispatch(tracker.put(presence, recordMillis, now));
  }

  /** A presence record was read: a removal. */
  public synchronized void remove(final String channel, final String gateway, final String ref) {
    dispatch(tracker.remove(channel, gateway, ref));
  }

  /** A lease renewal was read. */
  public synchronized void lease(final String gateway, final long recordMillis, final long wallMillis,
      final long now) {
    tracker.lease(gateway, recordMillis, wallMillis, now);
  }

  /** A gateway ended its lease: its presences leave. */
  public synchronized PresenceTracker.Expired leaseEnded(final String gateway, final long wallMillis) {
    final PresenceTracker.Expired expired = tracker.leaseEnded(gateway, wallMillis);
    dispatch(expired.diffs());
    return expired;
  }

  /** The presences of gateways whose lease ran out leave. */
  public synchronized PresenceTracker.Expired expire(final long now, final long wallMillis) {
    final PresenceTracker.Expired expired = tracker.expire(now, wallMillis);
    dispatch(expired.diffs());
    return expired;
  }

  /** The whole topic was read once. */
  public synchronized void loaded() {
    tracker.loaded();
  }

  /**
   * Whether {@code presence} may be tracked: its user is present in the channel already, or the
   * channel has fewer than {@code maxUsers} users.
   */
  public synchronized boolean admits(final Presence presence, final int maxUsers) {
    return tracker.present(presence.channel(), presence.userId())
        || tracker.users(presence.channel()) < maxUsers;
  }

  /** Whether the presence is held. */
  public synchronized boolean holds(final Presence presence) {
    return tracker.holds(presence);
  }

  /** Presences over all channels and gateways. */
  public synchronized int presences() {
    return tracker.size();
  }

  /** Channels with at least one member on this gateway. */
  public synchronized int channels() {
    return members.size();
  }

  private void dispatch(final List<PresenceDiff> diffs) {
    for (final PresenceDiff diff : diffs) {
      final Set<Member> filed = members.get(diff.channel());
      if (filed != null) {
        for (final Member member : List.copyOf(filed)) {
          member.presence(diff);
        }
      }
    }
  }
}
