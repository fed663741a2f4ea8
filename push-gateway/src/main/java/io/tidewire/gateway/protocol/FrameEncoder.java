package io.tidewire.gateway.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tidewire.protocol.Field;
import io.tidewire.protocol.ServerOp;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
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
