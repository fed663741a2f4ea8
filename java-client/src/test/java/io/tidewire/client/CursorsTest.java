package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CursorsTest {

  @Test
  void startsFromTheStoredCursors() {
    final Cursors cursors = new Cursors(Map.of("user", "stored"));

    assertThat(cursors.get("user")).contains("stored");
    assertThat(cursors.get("feed")).isEmpty();
  }

  @Test
  void aHandledEventMovesTheCursorToIt() {
    final Cursors cursors = new Cursors(Map.of());

    cursors.eventHandled("user", "c1");
    cursors.eventHandled("user", "c2");
    cursors.eventHandled("feed", "f1");

    assertThat(cursors.all()).isEqualTo(Map.of("user", "c2", "feed", "f1"));
  }

  @Test
  void aRecoveredSubscriptionKeepsTheClientsCursor() {
    final Cursors cursors = new Cursors(Map.of("user", "c5"));

    cursors.subscribed("user", true, Optional.of("c9"));

    assertThat(cursors.get("user")).contains("c5");
  }

  @Test
  void anUnrecoveredSubscriptionAdoptsTheGatewaysStart() {
    final Cursors cursors = new Cursors(Map.of("user", "expired"));

    cursors.subscribed("user", false, Optional.of("live-start"));
    cursors.subscribed("feed", false, Optional.of("feed-start"));

    assertThat(cursors.all()).isEqualTo(Map.of("user", "live-start", "feed", "feed-start"));
  }

  @Test
  void anUnrecoveredSubscriptionWithoutCursorKeepsWhatThereIs() {
    final Cursors cursors = new Cursors(Map.of("feed", "f3"));

    cursors.subscribed("feed", false, Optional.empty());

    assertThat(cursors.get("feed")).contains("f3");
  }

  @Test
  void aHandledSnapshotMovesTheCursorToIt() {
    final Cursors cursors = new Cursors(Map.of("user", "expired"));

    cursors.snapshotHandled("user", Optional.of("snap"));
    cursors.snapshotHandled("user", Optional.empty());

    assertThat(cursors.get("user")).contains("snap");
  }
}
