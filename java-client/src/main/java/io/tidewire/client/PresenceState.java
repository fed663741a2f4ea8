package io.tidewire.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is on a channel: user id (the token's subject) → that user's tracked connections, in the
 * order the gateway named them. A user is online while the list is non-empty; the map never holds
 * an empty list.
 *
 * <p>Also the pure merge rules of Phoenix presence: {@link #sync} replaces the state with one the
 * gateway sent in full (after a join or rejoin) and says what joined and left meanwhile;
 * {@link #apply} applies a diff. Immutable and thread-safe.
 *
 * @param users user id → connections (at least one each)
 */
public record PresenceState(Map<String, List<Presence>> users) {

  /** Nobody. */
  public static final PresenceState EMPTY = new PresenceState(Map.of());

  /** Copies the map, dropping users without connections. */
  public PresenceState {
    Objects.requireNonNull(users, "users");
    final Map<String, List<Presence>> copy = new LinkedHashMap<>();
    users.forEach((user, presences) -> {
      if (!presences.isEmpty()) {
        copy.put(user, List.copyOf(presences));
      }
    });
    users = Collections.unmodifiableMap(copy);
  }

  /** The users online, in the state's order. */
  public Set<String> userIds() {
    return users.keySet();
  }

  /** Whether {@code user} has at least one tracked connection. */
  public boolean isOnline(final String user) {
    return users.containsKey(user);
  }

  /** {@code user}'s connections; empty if offline. */
  public List<Presence> connections(final String user) {
    return users.getOrDefault(user, List.of());
  }

  /** The state after a change, and what joined and left to get there. */
  record Transition(PresenceState state, Map<String, List<Presence>> joins, Map<String, List<Presence>> leaves) {
    boolean changed() {
      return !joins.isEmpty() || !leaves.isEmpty();
    }
  }

  /**
   * Replaces this state with {@code server}'s full state: connections whose ref is new joined,
   * connections whose ref is gone left (a rejoin after a reconnect tells who came and went while
   * the client was away).
   */
  Transition sync(final PresenceState server) {
    final Map<String, List<Presence>> joins = new LinkedHashMap<>();
    final Map<String, List<Presence>> leaves = new LinkedHashMap<>();
    server.users.forEach((user, now) -> {
      final Set<String> before = refs(connections(user));
      final List<Presence> joined = now.stream().filter(p -> !before.contains(p.ref())).toList();
      if (!joined.isEmpty()) {
        joins.put(user, joined);
      }
    });
    users.forEach((user, before) -> {
      final Set<String> now = refs(server.connections(user));
      final List<Presence> left = before.stream().filter(p -> !now.contains(p.ref())).toList();
      if (!left.isEmpty()) {
        leaves.put(user, left);
      }
    });
    return new Transition(server, joins, leaves);
  }

  /**
   * Applies a diff: a join replaces the connection with the same ref (a re-track with new meta) or
   * adds it; a leave removes the connection with its ref (unknown refs are ignored, so a diff
   * applied twice changes nothing the second time). The transition names only what changed.
   */
  Transition apply(final Map<String, List<Presence>> joins, final Map<String, List<Presence>> leaves) {
    final Map<String, List<Presence>> next = new LinkedHashMap<>();
    users.forEach((user, presences) -> next.put(user, new ArrayList<>(presences)));
    final Map<String, List<Presence>> joined = new LinkedHashMap<>();
    final Map<String, List<Presence>> left = new LinkedHashMap<>();
    joins.forEach((user, presences) -> {
      final List<Presence> list = next.computeIfAbsent(user, u -> new ArrayList<>());
      for (final Presence presence : presences) {
        final boolean same = list.contains(presence);
        list.removeIf(p -> p.ref().equals(presence.ref()));
        list.add(presence);
        if (!same) {
          joined.computeIfAbsent(user, u -> new ArrayList<>()).add(presence);
        }
      }
    });
    leaves.forEach((user, presences) -> {
      final List<Presence> list = next.get(user);
      if (list == null) {
        return;
      }
      for (final Presence presence : presences) {
        final List<Presence> removed = list.stream().filter(p -> p.ref().equals(presence.ref())).toList();
        list.removeAll(removed);
        if (!removed.isEmpty()) {
          left.computeIfAbsent(user, u -> new ArrayList<>()).addAll(removed);
        }
      }
    });
    return new Transition(new PresenceState(next), joined, left);
  }

  private static Set<String> refs(final List<Presence> presences) {
    final Set<String> refs = new HashSet<>();
    presences.forEach(p -> refs.add(p.ref()));
    return refs;
  }
}
