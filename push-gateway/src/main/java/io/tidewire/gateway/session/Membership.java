package io.tidewire.gateway.session;

import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.broadcast.ChannelLimits;
import io.tidewire.gateway.broadcast.Channels.TrackOutcome;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One connection's broadcast/presence channels as a state machine without I/O, part of the
 * {@link SessionCore}: which channels it joined (with {@code self} and {@code ack}), its presence
 * in each, and its broadcast and track budgets. It applies the limits (channels per connection,
 * payload and meta size, broadcast and track rate), filters what reaches the connection (only
 * joined channels; its own broadcasts only with {@code self}) and returns {@link Effect}s:
 * protocol-neutral {@link Reply}s, and {@link Effect.Publish}, {@link Effect.Track},
 * {@link Effect.Untrack}, {@link Effect.LeaveChannel} for the owner to apply. Authorization is the
 * owner's, before the join ({@code ChannelRules}).
 *
 * <p>Not thread-safe: confined to the core's thread.
 */
final class Membership {

  /** A joined channel. */
  private record Joined(boolean self, boolean ack, Optional<Presence> tracked) {
    Joined with(final Optional<Presence> presence) {
      return new Joined(self, ack, presence);
    }
  }

  private final String userId;
  private final BroadcastMessage.Sender me;
  private final ChannelLimits limits;
  private final Supplier<String> presenceRefs;
  private final Supplier<String> messageIds;
  private final Map<String, Joined> joined = new LinkedHashMap<>();
  private TokenBucket broadcasts;
  private TokenBucket tracks;

  /**
   * @param userId the session's user
   * @param me the session as a sender (its gateway and serial)
   * @param limits the limits
   * @param presenceRefs new presence refs, unique over all gateways
   * @param messageIds new message ids, unique
   * @param now the time, {@link System#nanoTime()} scale
   */
  Membership(final String userId, final BroadcastMessage.Sender me, final ChannelLimits limits,
      final Supplier<String> presenceRefs, final Supplier<String> messageIds, final long now) {
    this.userId = Objects.requireNonNull(userId, "userId");
    this.me = Objects.requireNonNull(me, "me");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.presenceRefs = Objects.requireNonNull(presenceRefs, "presenceRefs");
    this.messageIds = Objects.requireNonNull(messageIds, "messageIds");
    this.broadcasts = TokenBucket.full(limits.broadcastsPerSecond(), limits.broadcastBurst(), now);
    this.tracks = TokenBucket.full(limits.tracksPerSecond(), limits.trackBurst(), now);
  }

  /** The hub filed the session under the channel, whose presences were {@code state}. */
  void joined(final ClientFrame.Join join, final List<Presence> state, final List<Effect> out) {
    final Joined before = joined.get(join.channel());
    if (before == null && joined.size() >= limits.channelsPerSession()) {
      out.add(new Effect.LeaveChannel(join.channel()));
      refuse(join.ref(), ErrorCode.TOO_MANY_CHANNELS, "channels_per_session",
          "at most " + limits.channelsPerSession() + " channels per connection; leave one first", out);
      return;
    }
    joined.put(join.channel(), new Joined(join.self(), join.ack(),
        before == null ? Optional.empty() : before.tracked()));
    out.add(new Effect.Send(new Reply.Joined(join.ref(), join.channel(), state)));
  }

  /** {@code leave}, {@code broadcast}, {@code track} or {@code untrack}. */
  void request(final ClientFrame frame, final long now, final List<Effect> out) {
    if (frame instanceof ClientFrame.Leave leave) {
      final Joined was = joined.remove(leave.channel());
      if (was != null) {
        was.tracked().ifPresent(p -> out.add(new Effect.Untrack(p, Optional.empty())));
        out.add(new Effect.LeaveChannel(leave.channel()));
      }
      out.add(new Effect.Send(new Reply.Left(leave.ref(), leave.channel())));
    } else if (frame instanceof ClientFrame.Broadcast broadcast) {
      broadcast(broadcast, now, out);
    } else if (frame instanceof ClientFrame.Track track) {
      track(track, now, out);
    } else if (frame instanceof ClientFrame.Untrack untrack) {
      final Joined member = joined.get(untrack.channel());
      if (member == null) {
        notJoined(untrack.ref(), untrack.channel(), out);
      } else if (member.tracked().isEmpty()) {
        out.add(new Effect.Send(new Reply.Untracked(untrack.ref(), untrack.channel())));
      } else {
        joined.put(untrack.channel(), member.with(Optional.empty()));
        out.add(new Effect.Untrack(member.tracked().get(), Optional.of(untrack.ref())));
      }
    } else {
      throw new IllegalArgumentException("not a channel request: " + frame.getClass().getSimpleName());
    }
  }

  private void broadcast(final ClientFrame.Broadcast request, final long now, final List<Effect> out) {
    final Joined member = joined.get(request.channel());
    if (member == null) {
      notJoined(request.ref(), request.channel(), out);
      return;
    }
    final int bytes = utf8(request.payload());
    if (bytes > limits.maxPayloadBytes()) {
      refuse(request.ref(), ErrorCode.PAYLOAD_TOO_LARGE, "payload_size", "payload of " + bytes
          + " bytes; at most " + limits.maxPayloadBytes(), out);
      return;
    }
    final TokenBucket.Take take = broadcasts.take(now);
    broadcasts = take.bucket();
    if (!take.taken()) {
      refuse(request.ref(), ErrorCode.RATE_LIMITED, "broadcast_rate", "too many broadcasts (at most "
          + limits.broadcastsPerSecond() + "/s, burst " + limits.broadcastBurst() + "); retry with backoff", out);
      return;
    }
    out.add(new Effect.Publish(new BroadcastMessage(messageIds.get(), request.channel(), request.event(),
        userId, request.payload(), me), request.ref(), member.ack()));
  }

  private void track(final ClientFrame.Track request, final long now, final List<Effect> out) {
    final Joined member = joined.get(request.channel());
    if (member == null) {
      notJoined(request.ref(), request.channel(), out);
      return;
    }
    final int bytes = utf8(request.meta());
    if (bytes > limits.maxMetaBytes()) {
      refuse(request.ref(), ErrorCode.PAYLOAD_TOO_LARGE, "meta_size", "meta of " + bytes
          + " bytes; at most " + limits.maxMetaBytes(), out);
      return;
    }
    final TokenBucket.Take take = tracks.take(now);
    tracks = take.bucket();
    if (!take.taken()) {
      refuse(request.ref(), ErrorCode.RATE_LIMITED, "track_rate", "too many tracks (at most "
          + limits.tracksPerSecond() + "/s, burst " + limits.trackBurst() + "); retry with backoff", out);
      return;
    }
    final Presence presence = new Presence(request.channel(), userId, presenceRefs.get(), request.meta(),
        me.gateway(), request.key().orElse(userId));
    joined.put(request.channel(), member.with(Optional.of(presence)));
    out.add(new Effect.Track(presence, member.tracked(), request.ref()));
  }

  /** Kafka stored a broadcast of this session. */
  void published(final String ref, final BroadcastMessage message, final boolean ack,
      final List<Effect> out) {
    if (ack) {
      out.add(new Effect.Send(new Reply.BroadcastAck(ref, message.channel(), message.id())));
    }
  }

  /** A track ended. */
  void trackEnded(final String ref, final Presence presence, final TrackOutcome outcome,
      final List<Effect> out) {
    if (outcome == TrackOutcome.STORED) {
      out.add(new Effect.Send(new Reply.Tracked(ref, presence.channel())));
      return;
    }
    final Joined member = joined.get(presence.channel());
    if (member != null && member.tracked().equals(Optional.of(presence))) {
      joined.put(presence.channel(), member.with(Optional.empty()));
    }
    if (outcome == TrackOutcome.TOO_MANY_PRESENCES) {
      refuse(ref, ErrorCode.TOO_MANY_PRESENCES, "presence_keys", "the channel has "
          + limits.maxKeysPerChannel() + " users present; retry later", out);
    } else {
      out.add(new Effect.Send(new ProtocolError(Optional.of(ref), ErrorCode.INTERNAL,
          "the presence could not be stored; retry")));
    }
  }

  /** A broadcast of a channel the session may have joined. */
  void received(final BroadcastMessage message, final List<Effect> out) {
    final Joined member = joined.get(message.channel());
    if (member != null && (member.self() || !message.sender().equals(me))) {
      out.add(new Effect.Send(new Reply.Broadcast(message)));
    }
  }

  /** Presences of a channel the session may have joined changed. */
  void changed(final PresenceDiff diff, final List<Effect> out) {
    if (joined.containsKey(diff.channel())) {
      out.add(new Effect.Send(new Reply.PresenceChanged(diff)));
    }
  }

  /** The connection is gone: untrack every presence and leave every channel. */
  void leaveAll(final List<Effect> out) {
    joined.forEach((channel, member) -> {
      member.tracked().ifPresent(p -> out.add(new Effect.Untrack(p, Optional.empty())));
      out.add(new Effect.LeaveChannel(channel));
    });
    joined.clear();
  }

  /** A join no channel rule admits. */
  static void forbidden(final String ref, final String channel, final List<Effect> out) {
    refuse(ref, ErrorCode.FORBIDDEN, "forbidden", "no channel rule lets you join " + channel, out);
  }

  private static void notJoined(final String ref, final String channel, final List<Effect> out) {
    refuse(ref, ErrorCode.NOT_JOINED, "not_joined", "join " + channel + " first", out);
  }

  private static void refuse(final String ref, final ErrorCode code, final String reason,
      final String message, final List<Effect> out) {
    out.add(new Effect.Refused(reason));
    out.add(new Effect.Send(new ProtocolError(Optional.of(ref), code, message)));
  }

  private static int utf8(final String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Joined channels, for tests. */
  List<String> channels() {
    return new ArrayList<>(joined.keySet());
  }
}
