package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.broadcast.ChannelLimits;
import io.tidewire.gateway.broadcast.Channels.TrackOutcome;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Broadcast and presence in the session core: limits, filters and what a disconnect leaves behind. */
class SessionCoreChannelsTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final long SECOND = 1_000_000_000L;
  private static final BroadcastMessage.Sender ME = new BroadcastMessage.Sender("g1", 7);
  /** 2 channels, payload 20 B, 2 broadcasts/s burst 2, meta 10 B, 1 track/s burst 1, 5 users. */
  private static final ChannelLimits LIMITS = new ChannelLimits(2, 20, 2, 2, 10, 1, 1, 5);

  private final AtomicLong refs = new AtomicLong();
  private final SessionCore core = new SessionCore(new Principal("ada", NOW.plusSeconds(3600)),
      new SessionCore.Limits(100, 1_000_000, Duration.ofSeconds(30), Duration.ofSeconds(5)), ME, LIMITS,
      refs::incrementAndGet, 0);

  private static ClientFrame.Join join(final String ref, final String channel, final boolean self) {
    return new ClientFrame.Join(ref, channel, self, true);
  }

  private static Optional<ErrorCode> errorOf(final List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof Effect.Send send && send.reply() instanceof ProtocolError)
        .map(e -> ((ProtocolError) ((Effect.Send) e).reply()).code()).findFirst();
  }

  private static List<String> refusals(final List<Effect> effects) {
    return effects.stream().filter(Effect.Refused.class::isInstance).map(e -> ((Effect.Refused) e).reason()).toList();
  }

  @Test
  void joinedCarriesTheStateAndRequestsOnOtherChannelsAreNotJoined() {
    final Presence bob = new Presence("room:a", "bob", "x.1", "{}", "g2");

    assertThat(core.channelJoined(join("1", "room:a", false), List.of(bob)))
        .containsExactly(new Effect.Send(new Reply.Joined("1", "room:a", List.of(bob))));
    final List<Effect> elsewhere = core.channelRequest(new ClientFrame.Broadcast("2", "room:b", "e", "{}"), 0);
    assertThat(errorOf(elsewhere)).contains(ErrorCode.NOT_JOINED);
    assertThat(refusals(elsewhere)).containsExactly("not_joined");
    assertThat(errorOf(core.channelRequest(new ClientFrame.Track("3", "room:b", "{}"), 0))).contains(ErrorCode.NOT_JOINED);
    assertThat(errorOf(core.channelRequest(new ClientFrame.Untrack("4", "room:b"), 0))).contains(ErrorCode.NOT_JOINED);
  }

  @Test
  void aJoinBeyondTheChannelLimitIsUndoneAndRefused() {
    core.channelJoined(join("1", "room:a", false), List.of());
    core.channelJoined(join("2", "room:b", false), List.of());

    final List<Effect> third = core.channelJoined(join("3", "room:c", false), List.of());
    assertThat(third).contains(new Effect.LeaveChannel("room:c"));
    assertThat(errorOf(third)).contains(ErrorCode.TOO_MANY_CHANNELS);
    assertThat(refusals(third)).containsExactly("channels_per_session");
    assertThat(errorOf(core.channelJoined(join("4", "room:a", true), List.of()))).as("a re-join").isEmpty();
  }

  @Test
  void broadcastsObeyThePayloadLimitAndTheRate() {
    core.channelJoined(join("1", "room:a", false), List.of());

    final List<Effect> big = core.channelRequest(new ClientFrame.Broadcast("2", "room:a", "e", "{\"x\":\"0123456789abcdef\"}"), 0);
    assertThat(errorOf(big)).contains(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(refusals(big)).containsExactly("payload_size");

    final ClientFrame.Broadcast small = new ClientFrame.Broadcast("3", "room:a", "typing", "{\"x\":1}");
    assertThat(core.channelRequest(small, 0)).singleElement().isInstanceOfSatisfying(Effect.Publish.class, p -> {
      assertThat(p.message().from()).isEqualTo("ada");
      assertThat(p.message().sender()).isEqualTo(ME);
      assertThat(p.message().payload()).isEqualTo("{\"x\":1}");
      assertThat(p.ack()).isTrue();
    });
    assertThat(core.channelRequest(small, 0)).singleElement().isInstanceOf(Effect.Publish.class);
    final List<Effect> third = core.channelRequest(small, 0);
    assertThat(errorOf(third)).contains(ErrorCode.RATE_LIMITED);
    assertThat(refusals(third)).containsExactly("broadcast_rate");
    assertThat(core.channelRequest(small, SECOND)).singleElement().as("refilled").isInstanceOf(Effect.Publish.class);
  }

  @Test
  void ownBroadcastsComeBackOnlyWithSelf() {
    core.channelJoined(join("1", "room:a", false), List.of());
    final BroadcastMessage mine = new BroadcastMessage("m1", "room:a", "e", "ada", "{}", ME);
    final BroadcastMessage theirs = new BroadcastMessage("m2", "room:a", "e", "bob", "{}",
        new BroadcastMessage.Sender("g1", 8));

    assertThat(core.broadcastReceived(mine)).isEmpty();
    assertThat(core.broadcastReceived(theirs)).containsExactly(new Effect.Send(new Reply.Broadcast(theirs)));
    core.channelJoined(join("2", "room:a", true), List.of());
    assertThat(core.broadcastReceived(mine)).containsExactly(new Effect.Send(new Reply.Broadcast(mine)));
    assertThat(core.broadcastReceived(new BroadcastMessage("m3", "room:z", "e", "bob", "{}", ME))).isEmpty();
  }

  @Test
  void tracksObeyTheMetaLimitAndTheRateAndReplaceTheConnectionsPresence() {
    core.channelJoined(join("1", "room:a", false), List.of());

    assertThat(errorOf(core.channelRequest(new ClientFrame.Track("2", "room:a", "{\"name\":\"Ada Lovelace\"}"), 0)))
        .contains(ErrorCode.PAYLOAD_TOO_LARGE);
    final Effect.Track first = (Effect.Track) core.channelRequest(new ClientFrame.Track("3", "room:a", "{}"), 0).get(0);
    assertThat(first.replaced()).isEmpty();
    assertThat(first.presence().userId()).isEqualTo("ada");
    assertThat(first.presence().gateway()).isEqualTo("g1");
    assertThat(errorOf(core.channelRequest(new ClientFrame.Track("4", "room:a", "{}"), 0))).contains(ErrorCode.RATE_LIMITED);

    final Effect.Track second = (Effect.Track) core.channelRequest(new ClientFrame.Track("5", "room:a", "{}"), SECOND).get(0);
    assertThat(second.replaced()).contains(first.presence());
    assertThat(second.presence().ref()).isNotEqualTo(first.presence().ref());
    assertThat(core.trackEnded("5", second.presence(), TrackOutcome.STORED))
        .containsExactly(new Effect.Send(new Reply.Tracked("5", "room:a")));
  }

  @Test
  void aRefusedTrackLeavesNoPresenceBehind() {
    core.channelJoined(join("1", "room:a", false), List.of());
    final Effect.Track track = (Effect.Track) core.channelRequest(new ClientFrame.Track("2", "room:a", "{}"), 0).get(0);

    final List<Effect> refused = core.trackEnded("2", track.presence(), TrackOutcome.TOO_MANY_PRESENCES);
    assertThat(errorOf(refused)).contains(ErrorCode.TOO_MANY_PRESENCES);
    assertThat(refusals(refused)).containsExactly("presence_keys");
    assertThat(core.channelRequest(new ClientFrame.Untrack("3", "room:a"), 0))
        .containsExactly(new Effect.Send(new Reply.Untracked("3", "room:a")));
  }

  @Test
  void diffsReachOnlyJoinedChannels() {
    core.channelJoined(join("1", "room:a", false), List.of());
    final PresenceDiff here = new PresenceDiff("room:a", List.of(new Presence("room:a", "bob", "r", "{}", "g2")), List.of());

    assertThat(core.presenceChanged(here)).containsExactly(new Effect.Send(new Reply.PresenceChanged(here)));
    assertThat(core.presenceChanged(new PresenceDiff("room:b", List.of(), List.of()))).isEmpty();
    core.channelRequest(new ClientFrame.Leave("2", "room:a"), 0);
    assertThat(core.presenceChanged(here)).isEmpty();
  }

  @Test
  void aDisconnectUntracksAndLeavesEveryChannel() {
    core.channelJoined(join("1", "room:a", false), List.of());
    core.channelJoined(join("2", "room:b", false), List.of());
    final Effect.Track track = (Effect.Track) core.channelRequest(new ClientFrame.Track("3", "room:a", "{}"), 0).get(0);

    final List<Effect> gone = core.disconnected();
    assertThat(gone).containsSubsequence(new Effect.Untrack(track.presence(), Optional.empty()),
        new Effect.LeaveChannel("room:a"), new Effect.LeaveChannel("room:b"), new Effect.Forget());
    assertThat(core.channelJoined(join("4", "room:c", false), List.of()))
        .as("a join that lands after the disconnect").containsExactly(new Effect.LeaveChannel("room:c"));
  }
}
