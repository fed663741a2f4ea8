package io.tidewire.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresenceTrackerTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long WALL = 1_764_000_000_000L;

  private final PresenceTracker tracker = new PresenceTracker("self", Duration.ofSeconds(15));

  private static Presence presence(final String user, final String ref, final String gateway) {
    return new Presence("room:a", user, ref, "{\"n\":\"" + user + "\"}", gateway);
  }

  @Test
  void putAndRemoveProduceJoinsAndLeavesPerRef() {
    tracker.loaded();
    final Presence ada = presence("ada", "r1", "g1");

    assertThat(tracker.put(ada, WALL, 0)).containsExactly(new PresenceDiff("room:a", List.of(ada), List.of()));
    assertThat(tracker.put(ada, WALL, 0)).as("the same record again").isEmpty();
    assertThat(tracker.state("room:a")).containsExactly(ada);
    assertThat(tracker.users("room:a")).isEqualTo(1);
    assertThat(tracker.remove("room:a", "g1", "r1"))
        .containsExactly(new PresenceDiff("room:a", List.of(), List.of(ada)));
    assertThat(tracker.state("room:a")).isEmpty();
    assertThat(tracker.remove("room:a", "g1", "r1")).as("a second tombstone").isEmpty();
  }

  @Test
  void oneUserWithTwoConnectionsIsOneKeyWithTwoEntries() {
    tracker.loaded();
    tracker.put(presence("ada", "r1", "g1"), WALL, 0);
    tracker.put(presence("ada", "r2", "g2"), WALL, 0);

    assertThat(tracker.users("room:a")).isEqualTo(1);
    assertThat(tracker.state("room:a")).hasSize(2);
    assertThat(tracker.present("room:a", "ada")).isTrue();
    assertThat(tracker.present("room:a", "bob")).isFalse();
  }

  @Test
  void presencesOfAGatewayWhoseLeaseRanOutLeaveAndItsLateRecordsAreIgnored() {
    tracker.loaded();
    tracker.lease("g1", WALL, WALL, 0);
    final Presence ada = presence("ada", "r1", "g1");
    tracker.put(ada, WALL, 0);

    assertThat(tracker.expire(14 * SECOND, WALL + 14_000).gateways()).isEmpty();
    tracker.lease("g1", WALL + 5_000, WALL + 5_000, 5 * SECOND); // renewed: lasts until 20 s
    assertThat(tracker.expire(19 * SECOND, WALL + 19_000).gateways()).isEmpty();

    final PresenceTracker.Expired expired = tracker.expire(21 * SECOND, WALL + 21_000);
    assertThat(expired.gateways()).containsExactly("g1");
    assertThat(expired.removed()).containsExactly(ada);
    assertThat(expired.diffs()).containsExactly(new PresenceDiff("room:a", List.of(), List.of(ada)));
    assertThat(tracker.state("room:a")).isEmpty();

    // a record it wrote before it was declared dead, read late: ignored
    assertThat(tracker.put(presence("ada", "r9", "g1"), WALL + 20_000, 22 * SECOND)).isEmpty();
    tracker.lease("g1", WALL + 20_000, WALL + 22_000, 22 * SECOND);
    assertThat(tracker.expire(40 * SECOND, WALL + 40_000).gateways()).isEmpty();
    // written after: it is alive after all
    assertThat(tracker.put(presence("ada", "r9", "g1"), WALL + 23_000, 23 * SECOND)).hasSize(1);
  }

  @Test
  void thisGatewayNeverExpiresInItsOwnView() {
    tracker.loaded();
    tracker.put(presence("ada", "r1", "self"), WALL, 0);

    assertThat(tracker.expire(3_600 * SECOND, WALL + 3_600_000).gateways()).isEmpty();
    assertThat(tracker.state("room:a")).hasSize(1);
  }

  @Test
  void atLoadALeaseOlderThanALeaseIsExpiredAndUnleasedPresencesGoAtTheFirstCheck() {
    final Presence dead = presence("ada", "r1", "long-dead");
    final Presence alive = presence("bob", "r2", "alive");
    tracker.put(dead, WALL - 3_600_000, 0);
    tracker.lease("long-dead", WALL - 3_600_000, WALL, 0);
    tracker.put(alive, WALL - 3_600_000, 0); // tracked an hour ago, still there
    tracker.lease("alive", WALL - 3_000, WALL, 0);
    tracker.loaded();

    final PresenceTracker.Expired expired = tracker.expire(1, WALL);
    assertThat(expired.gateways()).containsExactly("long-dead");
    assertThat(tracker.state("room:a")).containsExactly(alive);
  }

  @Test
  void afterLoadAPresenceOfAnUnknownGatewayWaitsOneLeaseForItsRenewal() {
    tracker.loaded();
    tracker.put(presence("ada", "r1", "new"), WALL, 0);

    assertThat(tracker.expire(10 * SECOND, WALL + 10_000).gateways()).isEmpty();
    assertThat(tracker.expire(16 * SECOND, WALL + 16_000).gateways()).containsExactly("new");
  }

  @Test
  void anEndedLeaseRemovesTheGatewaysPresencesAtOnce() {
    tracker.loaded();
    tracker.lease("g1", WALL, WALL, 0);
    tracker.put(presence("ada", "r1", "g1"), WALL, 0);
    tracker.put(presence("bob", "r2", "g2"), WALL, 0);

    final PresenceTracker.Expired ended = tracker.leaseEnded("g1", WALL + 1);
    assertThat(ended.removed()).extracting(Presence::userId).containsExactly("ada");
    assertThat(tracker.state("room:a")).extracting(Presence::userId).containsExactly("bob");
    assertThat(tracker.size()).isEqualTo(1);
  }
}
