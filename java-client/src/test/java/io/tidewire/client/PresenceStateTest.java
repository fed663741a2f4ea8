package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresenceStateTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Presence p(final String ref, final String name) {
    final JsonNode meta = JSON.createObjectNode().put("name", name);
    return new Presence(ref, meta);
  }

  @Test
  void theFirstFullStateJoinsEveryone() {
    final PresenceState server = new PresenceState(Map.of("alice", List.of(p("a1", "Alice"))));

    final PresenceState.Transition t = PresenceState.EMPTY.sync(server);

    assertThat(t.state()).isEqualTo(server);
    assertThat(t.joins()).isEqualTo(Map.of("alice", List.of(p("a1", "Alice"))));
    assertThat(t.leaves()).isEmpty();
  }

  @Test
  void aRejoinsStateTellsWhoCameAndWentWhileAway() {
    final PresenceState before = new PresenceState(Map.of(
        "alice", List.of(p("a1", "Alice"), p("a2", "Alice")),
        "bob", List.of(p("b1", "Bob"))));
    final PresenceState server = new PresenceState(Map.of(
        "alice", List.of(p("a2", "Alice"), p("a3", "Alice")),
        "carol", List.of(p("c1", "Carol"))));

    final PresenceState.Transition t = before.sync(server);

    assertThat(t.state().userIds()).containsExactlyInAnyOrder("alice", "carol");
    assertThat(t.joins()).isEqualTo(Map.of("alice", List.of(p("a3", "Alice")), "carol", List.of(p("c1", "Carol"))));
    assertThat(t.leaves()).isEqualTo(Map.of("alice", List.of(p("a1", "Alice")), "bob", List.of(p("b1", "Bob"))));
    assertThat(t.changed()).isTrue();
  }

  @Test
  void aUserStaysOnlineUntilTheLastConnectionLeaves() {
    final PresenceState two = PresenceState.EMPTY
        .apply(Map.of("alice", List.of(p("a1", "Alice"), p("a2", "Alice"))), Map.of()).state();

    final PresenceState one = two.apply(Map.of(), Map.of("alice", List.of(p("a1", "Alice")))).state();
    assertThat(one.isOnline("alice")).isTrue();
    assertThat(one.connections("alice")).containsExactly(p("a2", "Alice"));

    final PresenceState none = one.apply(Map.of(), Map.of("alice", List.of(p("a2", "Alice")))).state();
    assertThat(none.isOnline("alice")).isFalse();
    assertThat(none.users()).isEmpty();
  }

  @Test
  void aDiffAppliedTwiceChangesNothingTheSecondTime() {
    final Map<String, List<Presence>> joins = Map.of("bob", List.of(p("b1", "Bob")));
    final PresenceState.Transition first = PresenceState.EMPTY.apply(joins, Map.of());
    final PresenceState.Transition again = first.state().apply(joins, Map.of());
    assertThat(again.changed()).isFalse();
    assertThat(again.state()).isEqualTo(first.state());

    final Map<String, List<Presence>> leaves = Map.of("bob", List.of(p("b1", "Bob")));
    final PresenceState.Transition left = again.state().apply(Map.of(), leaves);
    assertThat(left.changed()).isTrue();
    assertThat(left.state().apply(Map.of(), leaves).changed()).isFalse();
  }

  @Test
  void reTrackingReplacesTheMetaOfTheSameRef() {
    final PresenceState typing = PresenceState.EMPTY
        .apply(Map.of("alice", List.of(p("a1", "Alice"))), Map.of()).state();

    final PresenceState.Transition renamed = typing.apply(Map.of("alice", List.of(p("a1", "Alice B."))), Map.of());

    assertThat(renamed.state().connections("alice")).containsExactly(p("a1", "Alice B."));
    assertThat(renamed.joins()).isEqualTo(Map.of("alice", List.of(p("a1", "Alice B."))));
  }
}
