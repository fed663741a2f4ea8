package io.tidewire.schemas;

import io.tidewire.schemas.avro.ActiveJob;
import io.tidewire.schemas.avro.ContentAccess;
import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.ContentRemoved;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.FeedCounts;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.Notification;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.TrainingProgress;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for Tidewire's generated Avro records in Avro's single-object encoding
 * ({@code C3 01}, the schema's 8-byte fingerprint, then the binary body), so any consumer with
 * the schemas in {@code schemas/} can decode a record without a registry.
 *
 * <p>Thread-safe: Avro's message encoder and decoder are.
 */
public final class AvroSerde {

  static {
    // Avro 1.12 refuses to instantiate classes it was not told to trust.
    final ClassSecurityValidator.Builder ours = ClassSecurityValidator.builder();
    for (final Class<?> c : new Class<?>[] {UserEvent.class, FeedEvent.class, SourcePosition.class,
        GenerationProgress.class, TrainingProgress.class, CreditsUpdated.class, Notification.class,
        RowChange.class, ContentPublished.class, FeedCounts.class, ContentRemoved.class,
        UserState.class, ActiveJob.class, PublicRowEvent.class, ContentAccess.class}) {
      ours.add(c);
    }
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours.build()));
  }

  private AvroSerde() {}

  /**
   * A serde for one generated record class. It writes with the current schema and reads records
   * written with it or with any released schema of the type ({@link ReleasedSchemas}).
   */
  public static <T extends SpecificRecordBase> Serde<T> of(final Class<T> type) {
    return of(type, ReleasedSchemas.of(SpecificData.get().getSchema(type)));
  }

  /**
   * A serde for one generated record class that also reads records written with
   * {@code olderWriters}: single-object encoding names the writer's schema only by its
   * fingerprint, so the decoder needs every schema a record may have been written with.
   */
  static <T extends SpecificRecordBase> Serde<T> of(final Class<T> type,
      final List<org.apache.avro.Schema> olderWriters) {
    final SpecificData model = SpecificData.getForClass(type);
    final org.apache.avro.Schema schema = SpecificData.get().getSchema(type);
    final BinaryMessageEncoder<T> encoder = new BinaryMessageEncoder<>(model, schema);
    final BinaryMessageDecoder<T> decoder = new BinaryMessageDecoder<>(model, schema);
    olderWriters.forEach(decoder::addSchema);
    final Serializer<T> serializer = (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        final ByteBuffer buffer = encoder.encode(value);
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    final Deserializer<T> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return decoder.decode(bytes);
      } catch (IOException | AvroRuntimeException e) {
        throw new SerializationException(
            "cannot decode " + type.getSimpleName() + " from " + topic + ": " + e.getMessage(), e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
