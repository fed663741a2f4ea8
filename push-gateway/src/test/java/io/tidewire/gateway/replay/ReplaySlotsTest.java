package io.tidewire.gateway.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.session.Replays;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The replay pool's admission: per user, and in all. */
class ReplaySlotsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ReplayPool pool = new ReplayPool(1, 5, 2, () -> new FakePartitionReader(10), new GatewayMetrics(registry), TestKit.CURSORS);

  @BeforeEach
  void start() {
    pool.start();
  }

  @AfterEach
  void stop() {
    pool.close();
  }

  private double refused(final String scope) {
    return registry.get("tidewire.gateway.replay.slots.refused").tag("scope", scope).counter().count();
  }

  @Test
  void oneUserCannotTakeMoreThanItsSlotsAndOthersStillGetTheirs() {
    assertThat(pool.admit("mallory")).isTrue();
    assertThat(pool.admit("mallory")).isTrue();
    assertThat(pool.admit("mallory")).isFalse();
    assertThat(refused("user")).isEqualTo(1);

    assertThat(pool.admit("alice")).isTrue();
    assertThat(pool.admit("bob")).isTrue();
    assertThat(pool.admitted("mallory")).isEqualTo(2);
  }

  @Test
  void theGatewayWideBoundStillHoldsAndARefusalReleasesTheUsersSlot() {
    for (final String user : new String[] {"a", "b", "c", "d", "e"}) {
      assertThat(pool.admit(user)).isTrue();
    }
    assertThat(pool.admit("f")).isFalse();
    assertThat(refused("gateway")).isEqualTo(1);
    assertThat(pool.admitted("f")).isZero();
  }

  @Test
  void aFinishedReplayReleasesItsUsersSlotAtOnce() {
    pool.admit("mallory");
    pool.admit("mallory");
    pool.finished("mallory", Replays.Outcome.CANCELLED, Duration.ZERO);

    assertThat(pool.admitted("mallory")).isEqualTo(1);
    assertThat(pool.admit("mallory")).isTrue();
  }

  @Test
  void slotMetersAreRegisteredAtZero() {
    assertThat(refused("session")).isZero();
    assertThat(refused("user")).isZero();
    assertThat(refused("gateway")).isZero();
  }
}
