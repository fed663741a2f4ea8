package io.tidewire.client.testing;

import io.tidewire.client.ClientError;
import io.tidewire.client.ConnectionState;
import io.tidewire.client.Event;
import io.tidewire.client.Snapshot;
import io.tidewire.client.Subscribed;
import io.tidewire.client.TidewireClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects everything a client tells its listeners. */
public final class Recorder {

  public final List<Event> events = new CopyOnWriteArrayList<>();
  public final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
  public final List<Subscribed> subscribed = new CopyOnWriteArrayList<>();
  public final List<ClientError> errors = new CopyOnWriteArrayList<>();
  public final List<ConnectionState> states = new CopyOnWriteArrayList<>();

  /** Registers every listener on {@code builder}. */
  public TidewireClient.Builder attach(final TidewireClient.Builder builder) {
    return builder.onEvent(events::add).onSnapshot(snapshots::add).onSubscribed(subscribed::add)
        .onError(errors::add).onStateChange(states::add);
  }

  /** The ids of the events delivered, in order. */
  public List<String> eventIds() {
    return events.stream().map(Event::id).toList();
  }

  /** The close codes of the connections that ended. */
  public List<Integer> closeCodes() {
    return errors.stream().filter(e -> e.kind() == ClientError.Kind.DISCONNECTED)
        .map(e -> e.closeCode().orElseThrow()).toList();
  }
}
