package io.tidewire.client;

import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what arrives to the application: drops duplicate events (by channel and id), moves the
 * cursors once a listener has returned, and keeps a throwing listener from breaking the client.
 *
 * <p>An event whose listener throws still counts as handled (reported as
 * {@link ClientError.Kind#LISTENER_FAILED}, never delivered again): redelivering it would only
 * fail the same way, and would hold back every event behind it.
 *
 * <p>Not thread-safe: confined to the client's serial executor, except {@link #cursors()}, which
 * any thread may read.
 */
final class Delivery {

  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

  private final Listeners listeners;
  private final RecentIds recent;
  private final Cursors cursors;

  Delivery(final Listeners listeners, final RecentIds recent, final Cursors cursors) {
    this.listeners = listeners;
    this.recent = recent;
    this.cursors = cursors;
  }

  /** The cursors (thread-safe). */
  Cursors cursors() {
    return cursors;
  }

  /** Delivers {@code event} unless it is a duplicate; returns whether it was delivered. */
  boolean event(final Event event) {
    final String key = event.channel() + '\u0000' + event.id();
    if (recent.contains(key)) {
      LOG.debug("dropped duplicate event {} on {}", event.id(), event.channel());
      return false;
    }
    call("onEvent", listeners.onEvent(), event);
    recent.add(key);
    cursors.eventHandled(event.channel(), event.cursor());
    return true;
  }

  /** Delivers a snapshot and moves the channel's cursor to it. */
  void snapshot(final Snapshot snapshot) {
    call("onSnapshot", listeners.onSnapshot(), snapshot);
    cursors.snapshotHandled(snapshot.channel(), snapshot.cursor());
  }

  /** Records a confirmed subscription and tells the application. */
  void subscribed(final Subscribed subscribed) {
    cursors.subscribed(subscribed.channel(), subscribed.recovered(), subscribed.cursor());
    call("onSubscribed", listeners.onSubscribed(), subscribed);
  }

  /** Tells the application about a state change. */
  void state(final ConnectionState state) {
    call("onStateChange", listeners.onState(), state);
  }

  /** Reports an error (logged at debug level too). */
  void error(final ClientError error) {
    LOG.debug("{}: {}", error.kind(), error.message());
    try {
      listeners.onError().accept(error);
    } catch (RuntimeException e) {
      LOG.warn("Tidewire error listener threw", e);
    }
  }

  /** Calls an application listener; one that throws is reported, never propagated. */
  <T> void call(final String name, final Consumer<T> listener, final T value) {
    try {
      listener.accept(value);
    } catch (RuntimeException e) {
      LOG.warn("Tidewire {} listener threw", name, e);
      error(ClientError.of(ClientError.Kind.LISTENER_FAILED, name + " threw: " + e, Optional.of(e)));
    }
  }
}
