package io.tidewire.gateway.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every gateway's presences as one gateway sees them, built from the records of
 * {@code realtime.presence} in the order it reads them: presences put and removed, and each
 * gateway's lease. A gateway whose lease has not been renewed for the lease's duration is dead:
 * its presences are removed ({@link #expire}), and records it wrote before it was declared dead
 * are ignored if they arrive later. Each input returns the diffs it caused, per channel.
 *
 * <p>Leases are judged by this gateway's clock (monotonic nanoseconds, {@code now}) from the moment
 * a renewal is read; a renewal whose Kafka timestamp ({@code recordMillis}, the writer's wall
 * clock) is older than a lease by this gateway's wall clock ({@code wallMillis}) counts as expired
 * on arrival — so a gateway starting up does not take the last lease of a gateway that died long
 * ago for a live one. Presences of a gateway without a lease get one lease of grace (its renewal
 * may sit in another partition not read yet), or none while {@link #loading} (the whole topic is
 * read before the first {@link #expire}).
 *
 * <p>This gateway ({@code self}) never expires in its own view.
 *
 * <p>Pure: times are arguments. Not thread-safe (its owner, the {@code ChannelHub}, locks).
 */
public final class PresenceTracker {

  /**
   * What {@link #expire} removed.
   *
   * @param diffs the leaves, per channel
   * @param removed every presence removed
   * @param gateways the gateways declared dead
   */
  public record Expired(List<PresenceDiff> diffs, List<Presence> removed, List<String> gateways) {
    public Expired {
      diffs = List.copyOf(diffs);
      removed = List.copyOf(removed);
      gateways = List.copyOf(gateways);
    }
  }

  private static final class GatewayState {
    long deadline;
    final Map<String, Presence> presences = new LinkedHashMap<>();

    GatewayState(final long deadline) {
      this.deadline = deadline;
    }
  }

  private final String self;
  private final long leaseNanos;
  private final long leaseMillis;
  private final Map<String, Map<String, Presence>> channels = new HashMap<>();
  private final Map<String, GatewayState> gateways = new HashMap<>();
  /** Gateway → wall-clock millis when it was declared dead. */
  private final Map<String, Long> dead = new HashMap<>();
  private boolean loading = true;
  private int size;

  /**
   * @param self this gateway's id
   * @param lease how long a gateway's presences outlive its last renewal
   */
  public PresenceTracker(final String self, final Duration lease) {
    this.self = Objects.requireNonNull(self, "self");
    this.leaseNanos = lease.toNanos();
    this.leaseMillis = lease.toMillis();
    if (leaseNanos <= 0) {
      throw new IllegalArgumentException("the lease must be positive");
    }
  }

  /** The topic was read up to its end once: presences of unknown gateways get a lease of grace from now on. */
  public void loaded() {
    loading = false;
  }

  /** Whether the topic has not been read up to its end yet. */
  public boolean loading() {
    return loading;
  }

  /** A presence was put (tracked), written at {@code recordMillis}. */
  public List<PresenceDiff> put(final Presence presence, final long recordMillis, final long now) {
    final Long declaredDead = dead.get(presence.gateway());
    if (declaredDead != null) {
      if (recordMillis <= declaredDead) {
        return List.of(); // written before it was declared dead: a late record of a dead gateway
      }
      dead.remove(presence.gateway()); // written since: the gateway is alive after all
    }
    final GatewayState gateway = gateways.computeIfAbsent(presence.gateway(),
        id -> new GatewayState(loading ? now : now + leaseNanos));
    final Presence old = channels.computeIfAbsent(presence.channel(), c -> new LinkedHashMap<>())
        .put(presence.ref(), presence);
    gateway.presences.put(presence.ref(), presence);
    if (presence.equals(old)) {
      return List.of();
    }
    if (old == null) {
      size++;
      return List.of(new PresenceDiff(presence.channel(), List.of(presence), List.of()));
    }
    return List.of(new PresenceDiff(presence.channel(), List.of(presence), List.of(old)));
  }

  /** The presence {@code ref} of {@code gateway} in {@code channel} was removed (a tombstone). */
  public List<PresenceDiff> remove(final String channel, final String gateway, final String ref) {
    final Map<String, Presence> presences = channels.get(channel);
    final Presence removed = presences == null ? null : presences.get(ref);
    if (removed == null || !removed.gateway().equals(gateway)) {
      return List.of();
    }
    forget(removed);
    return List.of(new PresenceDiff(channel, List.of(), List.of(removed)));
  }

  /** {@code gateway} renewed its lease at {@code recordMillis} (its clock); read now. */
  public void lease(final String gateway, final long recordMillis, final long wallMillis, final long now) {
    if (wallMillis - recordMillis > leaseMillis) {
      return; // a renewal older than a lease: it proves nothing about now
    }
    final Long declaredDead = dead.get(gateway);
    if (declaredDead != null && recordMillis <= declaredDead) {
      return;
    }
    dead.remove(gateway);
    gateways.computeIfAbsent(gateway, id -> new GatewayState(now)).deadline = now + leaseNanos;
  }

  /** {@code gateway} ended its lease (a clean stop): its presences leave now. */
  public Expired leaseEnded(final String gateway, final long wallMillis) {
    if (gateway.equals(self) || !gateways.containsKey(gateway)) {
      return new Expired(List.of(), List.of(), List.of());
    }
    return remove(List.of(gateway), wallMillis);
  }

  /** Removes the presences of every other gateway whose lease ran out by {@code now}. */
  public Expired expire(final long now, final long wallMillis) {
    final List<String> expired = new ArrayList<>();
    gateways.forEach((id, state) -> {
      if (!id.equals(self) && now - state.deadline > 0) {
        expired.add(id);
      }
    });
    // Forget gateways declared dead long ago; a record they wrote is long gone from the log's tail.
    dead.values().removeIf(at -> wallMillis - at > 20 * leaseMillis);
    return remove(expired, wallMillis);
  }

  private Expired remove(final List<String> expired, final long wallMillis) {
    final Map<String, List<Presence>> leaves = new LinkedHashMap<>();
    final List<Presence> removed = new ArrayList<>();
    for (final String id : expired) {
      final GatewayState state = gateways.remove(id);
      dead.put(id, wallMillis);
      for (final Presence presence : List.copyOf(state.presences.values())) {
        forget(presence);
        removed.add(presence);
        leaves.computeIfAbsent(presence.channel(), c -> new ArrayList<>()).add(presence);
      }
    }
    final List<PresenceDiff> diffs = new ArrayList<>();
    leaves.forEach((channel, left) -> diffs.add(new PresenceDiff(channel, List.of(), left)));
    return new Expired(diffs, removed, expired);
  }

  private void forget(final Presence presence) {
    final Map<String, Presence> presences = channels.get(presence.channel());
    if (presences != null && presences.remove(presence.ref()) != null) {
      size--;
      if (presences.isEmpty()) {
        channels.remove(presence.channel());
      }
    }
    final GatewayState gateway = gateways.get(presence.gateway());
    if (gateway != null) {
      gateway.presences.remove(presence.ref());
    }
  }

  /** The channel's presences, in the order they were put. */
  public List<Presence> state(final String channel) {
    final Map<String, Presence> presences = channels.get(channel);
    return presences == null ? List.of() : List.copyOf(presences.values());
  }

  /** How many users are present in {@code channel}. */
  public int users(final String channel) {
    final Map<String, Presence> presences = channels.get(channel);
    if (presences == null) {
      return 0;
    }
    final Set<String> users = new HashSet<>();
    presences.values().forEach(p -> users.add(p.userId()));
    return users.size();
  }

  /** Whether {@code userId} is present in {@code channel}. */
  public boolean present(final String channel, final String userId) {
    final Map<String, Presence> presences = channels.get(channel);
    return presences != null && presences.values().stream().anyMatch(p -> p.userId().equals(userId));
  }

  /** Whether the presence is held (not removed nor expired). */
  public boolean holds(final Presence presence) {
    final Map<String, Presence> presences = channels.get(presence.channel());
    return presences != null && presence.equals(presences.get(presence.ref()));
  }

  /** Presences over all channels. */
  public int size() {
    return size;
  }

  /** Gateways with a lease or presences, this one included once it renewed. */
  public int gateways() {
    return gateways.size();
  }
}
