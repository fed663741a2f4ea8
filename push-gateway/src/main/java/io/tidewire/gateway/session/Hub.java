package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * Who is connected and who listens to what: user channel subscribers indexed by their own user
 * id, feed subscribers in a set. A user event is handed only to the subscribers filed under its
 * owner's id, and a subscriber is filed only under {@link Subscriber#userId()} (the id of its
 * verified token) — there is no way to register for another user's id, so no session can receive
 * another user's events.
 *
 * <p>Thread-safe. Subscriptions join the live tails through their {@link DispatchSeam}s.
 */
public final class Hub {

  private final DispatchSeam userSeam;
  private final DispatchSeam feedSeam;
  private final Set<Subscriber> sessions = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, Set<Subscriber>> userSubscribers = new ConcurrentHashMap<>();
  private final Set<Subscriber> feedSubscribers = ConcurrentHashMap.newKeySet();
  private final Object emptied = new Object();

  /**
   * @param userSeam seam of the user-events tail
   * @param feedSeam seam of the feed-events tail
   */
  public Hub(final DispatchSeam userSeam, final DispatchSeam feedSeam) {
    this.userSeam = userSeam;
    this.feedSeam = feedSeam;
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
    unsubscribe(session, Kind.USER);
    unsubscribe(session, Kind.FEED);
    synchronized (emptied) {
      emptied.notifyAll();
    }
  }

  /**
   * Subscribes a session to a channel at the tail's seam: {@code activate} runs between two
   * dispatched records with the position of the channel for this session (the user's partition,
   * or every feed partition), before the session is added, so it can queue its {@code subscribed}
   * reply or start buffering ahead of any event; it returns whether to add the session at all.
   * The session must be {@link #register registered}; a session unregistered meanwhile is not
   * added.
   */
  public void subscribe(final Subscriber session, final Kind kind,
      final Predicate<Cursor> activate) {
    final DispatchSeam seam = kind == Kind.USER ? userSeam : feedSeam;
    final Optional<String> routingKey =
        kind == Kind.USER ? Optional.of(session.userId()) : Optional.empty();
    seam.atSeam(routingKey, cursor -> {
      if (!activate.test(cursor)) {
        return;
      }
      add(session, kind);
      // unregister() may have run meanwhile (it takes no seam lock); it removes the session
      // from the registry before its subscriptions, so this check closes the race.
      if (!sessions.contains(session)) {
        unsubscribe(session, kind);
      }
    });
  }

  private void add(final Subscriber session, final Kind kind) {
    if (kind == Kind.USER) {
      userSubscribers.compute(session.userId(), (owner, set) -> {
        final Set<Subscriber> subscribers = set == null ? ConcurrentHashMap.newKeySet() : set;
        subscribers.add(session);
        return subscribers;
      });
    } else {
      feedSubscribers.add(session);
    }
  }

  /** Removes a session from a channel; harmless if it was not subscribed. */
  public void unsubscribe(final Subscriber session, final Kind kind) {
    if (kind == Kind.USER) {
      userSubscribers.computeIfPresent(session.userId(), (owner, set) -> {
        set.remove(session);
        return set.isEmpty() ? null : set;
      });
    } else {
      feedSubscribers.remove(session);
    }
  }

  /**
   * Hands a user event to the sessions of its owner that subscribed to the user channel.
   *
   * @return how many sessions queued it
   */
  public int deliverToUser(final String owner, final EncodedEvent event) {
    final Set<Subscriber> subscribers = userSubscribers.get(owner);
    if (subscribers == null) {
      return 0;
    }
    int delivered = 0;
    for (final Subscriber subscriber : subscribers) {
      if (subscriber.deliver(Kind.USER, event)) {
        delivered++;
      }
    }
    return delivered;
  }

  /**
   * Hands a public event to every feed subscriber.
   *
   * @return how many sessions queued it
   */
  public int deliverToFeed(final EncodedEvent event) {
    int delivered = 0;
    for (final Subscriber subscriber : feedSubscribers) {
      if (subscriber.deliver(Kind.FEED, event)) {
        delivered++;
      }
    }
    return delivered;
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
    return !feedSubscribers.isEmpty();
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
