package io.tidewire.client.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the gateway's broadcast and presence ops for a {@link FakeGateway} (docs/PROTOCOL.md):
 * {@code join} → {@code joined} with the presence state, {@code track}/{@code untrack} →
 * {@code tracked}/{@code untracked} plus a {@code presence_diff} to every joined session,
 * {@code broadcast} → to every other joined session (and the sender with {@code self}), acknowledged
 * with {@code ack}; {@code leave} → {@code left}. A session's user is the one named at
 * {@link #user(FakeSession, String)} (the first frame's session gets {@code "u" + n} otherwise).
 * Everything else goes to {@link FakeGateway#STANDARD}. Synchronized: one frame at a time.
 */
public final class FakeChannelHub implements FakeGateway.Responder {

  private record Member(FakeSession session, boolean self, boolean ack) {}

  private record Tracked(String user, String ref, JsonNode meta) {}

  private final Map<FakeSession, String> users = new LinkedHashMap<>();
  private final Map<String, Map<FakeSession, Member>> members = new LinkedHashMap<>();
  private final Map<String, Map<FakeSession, Tracked>> presences = new LinkedHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** Names the user of a session. */
  public synchronized void user(final FakeSession session, final String user) {
    users.put(session, user);
  }

  @Override
  public synchronized void respond(final FakeSession session, final JsonNode frame) {
    final String op = frame.path("op").asText();
    final String ref = frame.path("ref").asText();
    final String channel = frame.path("channel").asText();
    final String user = users.computeIfAbsent(session, s -> "u" + ids.incrementAndGet());
    switch (op) {
      case "join" -> {
        members.computeIfAbsent(channel, c -> new LinkedHashMap<>()).put(session,
            new Member(session, frame.path("self").asBoolean(), frame.path("ack").asBoolean()));
        final ObjectNode joined = FakeSession.json().put("op", "joined").put("ref", ref).put("channel", channel);
        joined.set("presence", state(channel));
        session.send(joined);
      }
      case "leave" -> {
        members.getOrDefault(channel, Map.of()).remove(session);
        untrack(session, channel);
        session.send(FakeSession.json().put("op", "left").put("ref", ref).put("channel", channel));
      }
      case "track" -> {
        final Map<FakeSession, Tracked> byConnection = presences.computeIfAbsent(channel, c -> new LinkedHashMap<>());
        final Tracked tracked = new Tracked(user, "ref-" + System.identityHashCode(session), frame.path("meta"));
        byConnection.put(session, tracked);
        session.send(FakeSession.json().put("op", "tracked").put("ref", ref).put("channel", channel));
        diff(channel, tracked, "joins");
      }
      case "untrack" -> {
        untrack(session, channel);
        session.send(FakeSession.json().put("op", "untracked").put("ref", ref).put("channel", channel));
      }
      case "broadcast" -> {
        final Member sender = members.getOrDefault(channel, Map.of()).get(session);
        if (sender == null) {
          session.send(FakeSession.json().put("op", "error").put("ref", ref).put("code", "not_joined")
              .put("message", "join " + channel + " first"));
          return;
        }
        final String id = UUID.randomUUID().toString();
        final ObjectNode out = FakeSession.json().put("op", "broadcast").put("channel", channel).put("id", id)
            .put("event", frame.path("event").asText()).put("from", user);
        out.set("payload", frame.path("payload"));
        for (final Member member : members.get(channel).values()) {
          if (member.session() != session || sender.self()) {
            member.session().send(out.toString());
          }
        }
        if (sender.ack()) {
          session.send(FakeSession.json().put("op", "broadcast_ack").put("ref", ref).put("channel", channel)
              .put("id", id));
        }
      }
      default -> FakeGateway.STANDARD.respond(session, frame);
    }
  }

  /** Sends {@code frame} to every session joined to {@code channel} (e.g. a duplicate broadcast). */
  public synchronized void sendToMembers(final String channel, final String frame) {
    members.getOrDefault(channel, Map.of()).keySet().forEach(s -> s.send(frame));
  }

  /** Drops a session that went away, as a gateway does at disconnect (leave diffs to the others). */
  public synchronized void disconnected(final FakeSession session) {
    members.values().forEach(m -> m.remove(session));
    for (final String channel : presences.keySet().toArray(String[]::new)) {
      untrack(session, channel);
    }
  }

  private void untrack(final FakeSession session, final String channel) {
    final Tracked gone = presences.getOrDefault(channel, Map.of()).remove(session);
    if (gone != null) {
      diff(channel, gone, "leaves");
    }
  }

  private void diff(final String channel, final Tracked tracked, final String side) {
    final ObjectNode diff = FakeSession.json().put("op", "presence_diff").put("channel", channel);
    diff.putObject("joins");
    diff.putObject("leaves");
    ((ObjectNode) diff.get(side)).set(tracked.user(), list(tracked));
    members.getOrDefault(channel, Map.of()).keySet().forEach(s -> s.send(diff.toString()));
  }

  private ObjectNode state(final String channel) {
    final ObjectNode state = FakeSession.json();
    presences.getOrDefault(channel, Map.of()).values().forEach(t -> {
      final ArrayNode list = state.has(t.user()) ? (ArrayNode) state.get(t.user()) : state.putArray(t.user());
      list.add(entry(t));
    });
    return state;
  }

  private static ArrayNode list(final Tracked tracked) {
    final ArrayNode list = FakeSession.json().arrayNode();
    list.add(entry(tracked));
    return list;
  }

  private static ObjectNode entry(final Tracked tracked) {
    final ObjectNode entry = FakeSession.json().put("ref", tracked.ref());
    entry.set("meta", tracked.meta());
    return entry;
  }
}
