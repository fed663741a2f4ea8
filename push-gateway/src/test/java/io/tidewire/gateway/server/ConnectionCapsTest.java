package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.server.ConnectionCaps.Refusal;
import io.tidewire.gateway.server.ConnectionCaps.Result;
import org.junit.jupiter.api.Test;

class ConnectionCapsTest {

  @Test
  void refusesTheUserOverItsCapWhileOthersStillGetIn() {
    final ConnectionCaps caps = new ConnectionCaps(10, 2, 0);
    assertThat(caps.admit("alice", "1.1.1.1").refused()).isEmpty();
    assertThat(caps.admit("alice", "1.1.1.2").refused()).isEmpty();

    assertThat(caps.admit("alice", "1.1.1.3").refused()).contains(Refusal.USER);
    assertThat(caps.admit("bob", "1.1.1.1").refused()).isEmpty();
    assertThat(caps.total()).isEqualTo(3);
  }

  @Test
  void globalCapComesFirst() {
    final ConnectionCaps caps = new ConnectionCaps(1, 1, 1);
    caps.admit("alice", "1.1.1.1");

    assertThat(caps.admit("alice", "1.1.1.1").refused()).contains(Refusal.GLOBAL);
  }

  @Test
  void addressCapCountsOnlyWhenSet() {
    final ConnectionCaps off = new ConnectionCaps(10, 10, 0);
    final ConnectionCaps on = new ConnectionCaps(10, 10, 1);
    off.admit("a", "9.9.9.9");
    on.admit("a", "9.9.9.9");

    assertThat(off.admit("b", "9.9.9.9").refused()).isEmpty();
    assertThat(on.admit("b", "9.9.9.9").refused()).contains(Refusal.ADDRESS);
    assertThat(on.admit("b", "9.9.9.8").refused()).isEmpty();
  }

  @Test
  void releasingFreesTheSlotOnceHoweverOftenItIsCalled() {
    final ConnectionCaps caps = new ConnectionCaps(10, 1, 1);
    final Result first = caps.admit("alice", "1.1.1.1");
    caps.admit("bob", "1.1.1.2");
    final ConnectionCaps.Admission admission = ((Result.Admitted) first).admission();

    admission.release();
    admission.release();

    assertThat(caps.total()).isEqualTo(1);
    assertThat(caps.ofUser("alice")).isZero();
    assertThat(caps.ofUser("bob")).isEqualTo(1);
    assertThat(caps.admit("alice", "1.1.1.1").refused()).isEmpty();
  }
}
