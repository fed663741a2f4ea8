package io.tidewire.gateway.replay;

import io.tidewire.gateway.session.Recovery;
import io.tidewire.gateway.session.Replays;
import io.tidewire.schemas.avro.UserState;
import java.util.Optional;
import java.util.function.Consumer;

/** A {@link Recovery} with real replays and no snapshots: every snapshot request fails. */
record NoSnapshots(Replays replays) implements Recovery {

  @Override
  public void snapshot(final String userId, final Consumer<Optional<UserState>> ready,
      final Consumer<String> failed) {
    failed.accept("no snapshots here");
  }
}
