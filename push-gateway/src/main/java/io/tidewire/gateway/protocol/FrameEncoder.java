package io.tidewire.gateway.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import io.tidewire.protocol.Field;
import io.tidewire.protocol.ServerOp;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericContainer;

/**
 * Writes server frames as JSON text: the codec of protocol v1's server side. {@link #encode} turns
 * the session core's protocol-neutral {@link Reply}s into frames; event frames are built once per
 * event by the live tail ({@link #event}) and shared by every session that receives them.
 *
 * <p>Stateless and thread-safe.
 */
public final class FrameEncoder {

  private static final JsonFactory FACTORY = new JsonFactory();

  private FrameEncoder() {}

  /** The frame of {@code reply}, its cursors written by {@code cursors}. */
  public static String encode(final Reply reply, final CursorCodec cursors) {
    if (reply instanceof Reply.Pong pong) {
      return pong(pong.ref());
    }
    if (reply instanceof Reply.Subscribed subscribed) {
      return subscribed(subscribed.ref(), subscribed.channel().name(), subscribed.recovered(),
          cursors.encode(subscribed.cursor()));
    }
    if (reply instanceof Reply.Snapshot snapshot) {
      return snapshot(snapshot.kind().wire(), cursors.encode(snapshot.cursor()), snapshot.data());
    }
    if (reply instanceof Reply.Unsubscribed unsubscribed) {
      return unsubscribed(unsubscribed.ref(), unsubscribed.channel().name());
    }
    if (reply instanceof Reply.Authenticated authenticated) {
      return authenticated(authenticated.ref(), authenticated.expiresAt());
    }
    if (reply instanceof Reply.Joined joined) {
      return write(g -> {
        reply(g, ServerOp.JOINED, joined.ref(), joined.channel());
        g.writeFieldName(Field.PRESENCE);
        presences(g, joined.presences());
      });
    }
    if (reply instanceof Reply.Left left) {
      return write(g -> reply(g, ServerOp.LEFT, left.ref(), left.channel()));
    }
    if (reply instanceof Reply.BroadcastAck ack) {
      return write(g -> {
        reply(g, ServerOp.BROADCAST_ACK, ack.ref(), ack.channel());
        g.writeStringField(Field.ID, ack.id());
      });
    }
    if (reply instanceof Reply.Tracked tracked) {
      return write(g -> reply(g, ServerOp.TRACKED, tracked.ref(), tracked.channel()));
    }
    if (reply instanceof Reply.Untracked untracked) {
      return write(g -> reply(g, ServerOp.UNTRACKED, untracked.ref(), untracked.channel()));
    }
    if (reply instanceof Reply.Broadcast broadcast) {
      return broadcast(broadcast.message());
    }
    if (reply instanceof Reply.PresenceChanged changed) {
      return presenceDiff(changed.diff());
    }
    return error((ProtocolError) reply);
  }

  /** {@code {"op":"pong","ref":…}}. */
  public static String pong(final String ref) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.PONG.wire());
      g.writeStringField(Field.REF, ref);
    });
  }

  /**
   * {@code {"op":"subscribed","ref":…,"channel":…,"recovered":…,"cursor":…}}: the events that
   * follow start right after {@code cursor}.
   */
  public static String subscribed(final String ref, final String channel, final boolean recovered,
      final String cursor) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.SUBSCRIBED.wire());
      g.writeStringField(Field.REF, ref);
      g.writeStringField(Field.CHANNEL, channel);
      g.writeBooleanField(Field.RECOVERED, recovered);
      g.writeStringField(Field.CURSOR, cursor);
    });
  }

  /**
   * {@code {"op":"snapshot","channel":…,"cursor":…,"data":{…}}}: the channel's current state; the
   * events that follow start right after {@code cursor}. {@code data} is written by
   * {@link AvroJson}.
   */
  public static String snapshot(final String channel, final String cursor,
      final GenericContainer data) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.SNAPSHOT.wire());
      g.writeStringField(Field.CHANNEL, channel);
      g.writeStringField(Field.CURSOR, cursor);
      g.writeFieldName(Field.DATA);
      AvroJson.write(g, data, data.getSchema());
    });
  }

  /** {@code {"op":"unsubscribed","ref":…,"channel":…}}. */
  public static String unsubscribed(final String ref, final String channel) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.UNSUBSCRIBED.wire());
      g.writeStringField(Field.REF, ref);
      g.writeStringField(Field.CHANNEL, channel);
    });
  }

  /** {@code {"op":"authenticated","ref":…,"exp":<epoch seconds>}}: the token was replaced. */
  public static String authenticated(final String ref, final Instant expiresAt) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.AUTHENTICATED.wire());
      g.writeStringField(Field.REF, ref);
      g.writeNumberField(Field.EXP, expiresAt.getEpochSecond());
    });
  }

  /** {@code {"op":"error","ref":…,"code":…,"message":…}}; {@code ref} omitted when unknown. */
  public static String error(final ProtocolError error) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.ERROR.wire());
      if (error.ref().isPresent()) {
        g.writeStringField(Field.REF, error.ref().get());
      }
      g.writeStringField(Field.CODE, error.code().wire());
      g.writeStringField(Field.MESSAGE, error.message());
    });
  }

  /**
   * {@code {"op":"event","channel":…,"id":…,"type":…,"cursor":…,"ts":…,"data":{…}}}, with
   * {@code data} written by {@link AvroJson}.
   */
  public static String event(final String channel, final String id, final String type,
      final String cursor, final long ts, final GenericContainer data) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.EVENT.wire());
      g.writeStringField(Field.CHANNEL, channel);
      g.writeStringField(Field.ID, id);
      g.writeStringField(Field.TYPE, type);
      g.writeStringField(Field.CURSOR, cursor);
      g.writeNumberField(Field.TS, ts);
      g.writeFieldName(Field.DATA);
      AvroJson.write(g, data, data.getSchema());
    });
  }

  /**
   * {@code {"op":"broadcast","channel":…,"id":…,"event":…,"from":…,"payload":{…}}}.
   */
  public static String broadcast(final BroadcastMessage message) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.BROADCAST.wire());
      g.writeStringField(Field.CHANNEL, message.channel());
      g.writeStringField(Field.ID, message.id());
      g.writeStringField(Field.EVENT, message.event());
      g.writeStringField(Field.FROM, message.from());
      g.writeFieldName(Field.PAYLOAD);
      g.writeRawValue(message.payload());
    });
  }

  /** {@code {"op":"presence_diff","channel":…,"joins":{…},"leaves":{…}}}. */
  public static String presenceDiff(final PresenceDiff diff) {
    return write(g -> {
      g.writeStringField(Field.OP, ServerOp.PRESENCE_DIFF.wire());
      g.writeStringField(Field.CHANNEL, diff.channel());
      g.writeFieldName(Field.JOINS);
      presences(g, diff.joins());
      g.writeFieldName(Field.LEAVES);
      presences(g, diff.leaves());
    });
  }

  private static void reply(final JsonGenerator g, final ServerOp op, final String ref,
      final String channel) throws IOException {
    g.writeStringField(Field.OP, op.wire());
    g.writeStringField(Field.REF, ref);
    g.writeStringField(Field.CHANNEL, channel);
  }

  /** User id → {@code [{"ref":…,"meta":{…}}, …]}, users in the order of their first presence. */
  private static void presences(final JsonGenerator g, final List<Presence> presences)
      throws IOException {
    final Map<String, List<Presence>> byUser = new LinkedHashMap<>();
    for (final Presence presence : presences) {
      byUser.computeIfAbsent(presence.userId(), u -> new ArrayList<>()).add(presence);
    }
    g.writeStartObject();
    for (final Map.Entry<String, List<Presence>> user : byUser.entrySet()) {
      g.writeArrayFieldStart(user.getKey());
      for (final Presence presence : user.getValue()) {
        g.writeStartObject();
        g.writeStringField(Field.REF, presence.ref());
        g.writeFieldName(Field.META);
        g.writeRawValue(presence.meta());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  private static String write(final Fields fields) {
    final StringWriter out = new StringWriter(128);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      generator.writeStartObject();
      fields.write(generator);
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a frame", e);
    }
    return out.toString();
  }
}
