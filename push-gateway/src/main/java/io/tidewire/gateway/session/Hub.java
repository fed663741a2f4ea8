package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * Who is connected and who listens to what: user channel subscribers indexed by their own user
 * id, feed subscribers in a set. A user event is handed only to the subscribers filed under its
 * owner's id, and a subscriber is filed only under {@link Subscriber#userId()} (the id of its
 * verified token) — there is no way to register for another user's id, so no session can receive
 * another user's events.
 *
 * <p>A session is filed under a channel with the {@link SubscriptionId} it subscribed with; leaving
 * names that id, so a late leave of an old subscription never removes a newer one of the channel.
 *
 * <p>Thread-safe. Subscriptions join the live tails through their {@link DispatchSeam}s.
 */
public final class Hub {

  private final DispatchSeam userSeam;
  private final FanOut fanOut;
  private final Map<Kind, DispatchSeam> sharedSeams = new EnumMap<>(Kind.class);
  private final Set<Subscriber> sessions = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, ConcurrentMap<Subscriber, SubscriptionId>> userSubscribers =
      new ConcurrentHashMap<>();
  private final Map<Kind, ConcurrentMap<Subscriber, SubscriptionId>> sharedSubscribers =
      new EnumMap<>(Kind.class);
  private final Object emptied = new Object();
  private static final ConcurrentMap<Subscriber, SubscriptionId> EMPTY = new ConcurrentHashMap<>();

  /**
   * @param userSeam seam of the user-events tail
   * @param feedSeam seam of the feed-events tail
   */
  public Hub(final DispatchSeam userSeam, final DispatchSeam feedSeam) {
    this(userSeam, feedSeam, Optional.empty());
  }

  /**
   * @param userSeam seam of the user-events tail
   * @param feedSeam seam of the feed-events tail
   * @param publicSeam seam of the public-changes tail, if the gateway tails that topic
   */
  public Hub(final DispatchSeam userSeam, final DispatchSeam feedSeam,
      final Optional<DispatchSeam> publicSeam) {
    this(userSeam, feedSeam, publicSeam, FanOut.onCallingThread());
  }

  /**
   * @param userSeam seam of the user-events tail
   * @param feedSeam seam of the feed-events tail
   * @param publicSeam seam of the public-changes tail, if the gateway tails that topic
   * @param fanOut the threads that hand a shared stream's event to its subscribers
   */
  public Hub(final DispatchSeam userSeam, final DispatchSeam feedSeam,
      final Optional<DispatchSeam> publicSeam, final FanOut fanOut) {
    this.fanOut = fanOut;
    this.userSeam = userSeam;
    sharedSeams.put(Kind.FEED, feedSeam);
    publicSeam.ifPresent(seam -> sharedSeams.put(Kind.PUBLIC, seam));
    for (final Kind kind : sharedSeams.keySet()) {
      sharedSubscribers.put(kind, new ConcurrentHashMap<>());
    }
  }

  /** Whether subscriptions of {@code kind} can be served (its topic is tailed). */
  public boolean serves(final Kind kind) {
    return kind == Kind.USER || sharedSeams.containsKey(kind);
  }

  /** Records a connected session. */
  public void register(final Subscriber session) {
    sessions.add(session);
  }

  /**
   * Forgets a session and all its subscriptions. Takes no seam lock, so it is safe to call from
   * any thread, including one that holds a WebSocket library lock.
   */
  public void unregister(final Subscriber session) {
    sessions.remove(session);
    remove(session, Kind.USER, Optional.empty());
    for (final Kind kind : sharedSubscribers.keySet()) {
      remove(session, kind, Optional.empty());
    }
    synchronized (emptied) {
      emptied.notifyAll();
    }
  }

  /**
   * Subscribes a session to a channel at the tail's seam: between two dispatched records, files the
   * session under {@code id} (replacing its previous subscription of the channel) and runs
   * {@code joined} with the position of the channel for this session (the user's partition, or
   * every feed partition), so every event dispatched after that position reaches the session after
   * {@code joined} ran. The session must be {@link #register registered}; a session unregistered
   * meanwhile does not stay filed.
   */
  public void subscribe(final Subscriber session, final SubscriptionId id,
      final Consumer<Cursor> joined) {
    final Kind kind = id.kind();
    final DispatchSeam seam = kind == Kind.USER ? userSeam : sharedSeams.get(kind);
    if (seam == null) {
      throw new IllegalArgumentException("the " + kind.wire() + " stream is not tailed by this gateway");
    }
    final Optional<String> routingKey =
        kind == Kind.USER ? Optional.of(session.userId()) : Optional.empty();
    seam.atSeam(routingKey, cursor -> {
      if (kind == Kind.USER) {
        userSubscribers.compute(session.userId(), (owner, filed) -> {
          final ConcurrentMap<Subscriber, SubscriptionId> subscribers =
              filed == null ? new ConcurrentHashMap<>() : filed;
          subscribers.put(session, id);
          return subscribers;
        });
      } else {
        sharedSubscribers.get(kind).put(session, id);
      }
      joined.accept(cursor);
      // unregister() may have run meanwhile (it takes no seam lock); it removes the session
      // from the registry before its subscriptions, so this check closes the race.
      if (!sessions.contains(session)) {
        unsubscribe(session, id);
      }
    });
  }

  /** Removes a session from a channel if it is filed there under {@code id}; harmless otherwise. */
  public void unsubscribe(final Subscriber session, final SubscriptionId id) {
    remove(session, id.kind(), Optional.of(id));
  }

  private void remove(final Subscriber session, final Kind kind, final Optional<SubscriptionId> id) {
    if (kind == Kind.USER) {
      userSubscribers.computeIfPresent(session.userId(), (owner, filed) -> {
        if (id.isEmpty()) {
          filed.remove(session);
        } else {
          filed.remove(session, id.get());
        }
        return filed.isEmpty() ? null : filed;
      });
    } else if (!sharedSubscribers.containsKey(kind)) {
      return;
    } else if (id.isEmpty()) {
      sharedSubscribers.get(kind).remove(session);
    } else {
      sharedSubscribers.get(kind).remove(session, id.get());
    }
  }

  /**
   * Hands a user event to the sessions of its owner that subscribed to the user channel.
   *
   * @return how many sessions took it
   */
  public int deliverToUser(final String owner, final EncodedEvent event) {
    final ConcurrentMap<Subscriber, SubscriptionId> subscribers = userSubscribers.get(owner);
    if (subscribers == null) {
      return 0;
    }
    int delivered = 0;
    for (final Subscriber subscriber : subscribers.keySet()) {
      if (subscriber.deliver(Kind.USER, event)) {
        delivered++;
      }
    }
    return delivered;
  }

  /**
   * Hands a public event to every feed subscriber.
   *
   * @return how many sessions took it
   */
  public int deliverToFeed(final EncodedEvent event) {
    return deliverShared(Kind.FEED, event);
  }

  /**
   * Hands an event of a shared stream ({@link Kind#FEED}, {@link Kind#PUBLIC}) to every subscriber
   * of that stream, on the hub's {@link FanOut} threads, and returns once all have it.
   *
   * @return how many sessions took it
   */
  public int deliverShared(final Kind kind, final EncodedEvent event) {
    return fanOut.deliver(sharedSubscribers.getOrDefault(kind, EMPTY).keySet(), kind, event);
  }

  /** Connected sessions. */
  public int size() {
    return sessions.size();
  }

  /** A snapshot of the connected sessions. */
  public List<Subscriber> sessions() {
    return List.copyOf(sessions);
  }

  /** Whether some session of {@code owner} listens to the user channel (so an event is worth encoding). */
  public boolean hasUserSubscribers(final String owner) {
    return userSubscribers.containsKey(owner);
  }

  /** Whether some session listens to the feed. */
  public boolean hasFeedSubscribers() {
    return hasSharedSubscribers(Kind.FEED);
  }

  /** Whether some session listens to the shared stream {@code kind}. */
  public boolean hasSharedSubscribers(final Kind kind) {
    return !sharedSubscribers.getOrDefault(kind, EMPTY).isEmpty();
  }

  /**
   * Waits until no session is connected, at most {@code timeout}.
   *
   * @return whether the hub is empty
   */
  public boolean awaitEmpty(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (emptied) {
      while (!sessions.isEmpty()) {
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        emptied.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
