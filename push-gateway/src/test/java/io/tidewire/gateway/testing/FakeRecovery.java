package io.tidewire.gateway.testing;

import io.tidewire.gateway.session.Recovery;
import io.tidewire.gateway.session.Subscription;
import io.tidewire.schemas.avro.UserState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A {@link Recovery} that records what it is asked and lets the test answer. */
public final class FakeRecovery implements Recovery {

  /** A snapshot request waiting for the test's answer. */
  public record SnapshotRequest(String userId, Consumer<Optional<UserState>> ready,
      Consumer<String> failed) {}

  private final List<Subscription> replays = new ArrayList<>();
  private final List<SnapshotRequest> snapshots = new ArrayList<>();
  private volatile boolean admit = true;

  /** Whether replays are admitted (false plays a pool at capacity). */
  public void admit(final boolean on) {
    admit = on;
  }

  @Override
  public synchronized boolean replay(final Subscription subscription) {
    if (admit) {
      replays.add(subscription);
    }
    return admit;
  }

  @Override
  public synchronized void snapshot(final String userId, final Consumer<Optional<UserState>> ready,
      final Consumer<String> failed) {
    snapshots.add(new SnapshotRequest(userId, ready, failed));
  }

  public synchronized List<Subscription> replays() {
    return List.copyOf(replays);
  }

  public synchronized List<SnapshotRequest> snapshots() {
    return List.copyOf(snapshots);
  }
}
