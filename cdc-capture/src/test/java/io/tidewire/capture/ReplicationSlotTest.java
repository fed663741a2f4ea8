package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * The slot questions against a real PostgreSQL: who holds the slot, and ending that holder only
 * when it is the one named — the capture's way out of a slot left busy by a failed run.
 */
class ReplicationSlotTest {

  @Test
  void endsTheNamedHolderOfTheSlotAndNoOtherBackend() throws Exception {
    try (CaptureFixture fx = new CaptureFixture()) {
      final CaptureConfig config = CaptureConfig.fromEnv(fx.env());
      fx.queryStrings("SELECT slot_name::text FROM pg_create_logical_replication_slot(?, 'test_decoding')", fx.id);
      assertThat(ReplicationSlot.holder(config)).isEmpty();

      try (Connection replication = replicationConnection(fx)) {
        // not closed here: the test ends its backend below (closing it afterwards would fail)
        final PGReplicationStream holding = replication.unwrap(PGConnection.class).getReplicationAPI()
            .replicationStream().logical().withSlotName(fx.id).start();
        await().atMost(CaptureFixture.WAIT).until(() -> ReplicationSlot.holder(config).isPresent());
        final int holder = ReplicationSlot.holder(config).getAsInt();

        // another backend's pid (this test's own session) is not the holder: nothing happens
        final int other = Integer.parseInt(fx.queryStrings("SELECT pg_backend_pid()::text").get(0));
        assertThat(ReplicationSlot.release(config, other)).isFalse();
        assertThat(ReplicationSlot.holder(config)).hasValue(holder);

        assertThat(ReplicationSlot.release(config, holder)).isTrue();
        await().atMost(CaptureFixture.WAIT).until(() -> ReplicationSlot.holder(config).isEmpty());
      }
    }
  }

  @Test
  void aStreamingCaptureKnowsTheBackendThatHoldsItsSlot() throws Exception {
    try (CaptureFixture fx = new CaptureFixture()) {
      final CaptureService capture = fx.startStreaming(fx.env(CaptureSettings.SLOT_LAG_INTERVAL.name(), "100"));
      final CaptureConfig config = CaptureConfig.fromEnv(fx.env());
      await().atMost(CaptureFixture.WAIT).until(() -> capture.ownSlotHolder() != 0);
      assertThat(ReplicationSlot.holder(config)).hasValue(capture.ownSlotHolder());
    }
  }

  private static Connection replicationConnection(final CaptureFixture fx) throws Exception {
    final Properties p = new Properties();
    PGProperty.USER.set(p, fx.infra.postgres().user());
    PGProperty.PASSWORD.set(p, fx.infra.postgres().password());
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "9.4");
    PGProperty.REPLICATION.set(p, "database");
    PGProperty.PREFER_QUERY_MODE.set(p, "simple");
    return DriverManager.getConnection("jdbc:postgresql://" + fx.infra.postgres().host() + ":"
        + fx.infra.postgres().port() + "/" + fx.infra.postgres().database(), p);
  }
}
