package io.tidewire.gateway.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.presence.Presence;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChannelRecordsTest {

  @Test
  void broadcastsAndPresencesRoundTripThroughTheirRecords() {
    final BroadcastMessage message = new BroadcastMessage("m1", "room:a", "typing", "ada", "{\"x\":{\"y\":[1]}}",
        new BroadcastMessage.Sender("g-1", 42));
    assertThat(ChannelRecords.broadcast(ChannelRecords.broadcast(message))).contains(message);

    final Presence presence = new Presence("room:a", "ada", "abc.1", "{\"n\":\"Ada\"}", "g-1");
    assertThat(ChannelRecords.presence(ChannelRecords.presence(presence))).contains(presence);
    assertThat(ChannelRecords.presenceKey(ChannelRecords.presenceKey(presence)))
        .contains(new ChannelRecords.PresenceOf("room:a", "g-1", "abc.1"));
    assertThat(ChannelRecords.presenceKey(ChannelRecords.leaseKey("g-1"))).contains(new ChannelRecords.LeaseOf("g-1"));
  }

  @Test
  void aPresenceKeyedOtherThanByItsUserKeepsItsKeyAndOlderRecordsReadAsKeyedByUser() {
    final Presence keyed = new Presence("room:a", "ada", "abc.2", "{}", "g-1", "ada-laptop");
    final String record = new String(ChannelRecords.presence(keyed), StandardCharsets.UTF_8);
    assertThat(record).contains("\"key\":\"ada-laptop\"");
    assertThat(ChannelRecords.presence(ChannelRecords.presence(keyed))).contains(keyed);
    assertThat(new String(ChannelRecords.presence(new Presence("room:a", "ada", "abc.3", "{}", "g-1")),
        StandardCharsets.UTF_8)).doesNotContain("\"key\"");
    assertThat(ChannelRecords.presence(("{\"channel\":\"room:a\",\"user\":\"ada\",\"ref\":\"r\","
        + "\"gateway\":\"g\",\"meta\":{}}").getBytes(StandardCharsets.UTF_8)).orElseThrow().key())
        .isEqualTo("ada");
  }

  @Test
  void recordsThatAreNotOursDecodeToNothing() {
    assertThat(ChannelRecords.broadcast("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(ChannelRecords.broadcast("{\"id\":\"m\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(ChannelRecords.presence("{\"meta\":[]}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(ChannelRecords.presenceKey("x|y")).isEmpty();
    assertThat(ChannelRecords.presenceKey("p|room:a|g")).isEmpty();
    assertThat(ChannelRecords.presenceKey("g|")).isEmpty();
  }
}
