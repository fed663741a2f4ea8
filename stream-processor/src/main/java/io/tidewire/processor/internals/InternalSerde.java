package io.tidewire.processor.internals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserEvent;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one serde of the processor's own values: repartition topics and state stores (hence their
 * changelogs); never the public topics, which carry Avro ({@link Topics}).
 *
 * <p>Format: CBOR (RFC 8949, Jackson's binary form of the records' JSON model), starting with the
 * self-describe tag {@code D9 D9 F7}. A {@link UserEvent} inside a value is a CBOR byte string
 * holding the event's {@code realtime.user-events} encoding, so the events of a
 * {@link UserChange} are encoded once, when the value is. Unknown properties are ignored, so a
 * newer release can add fields while an older instance still runs during a rolling upgrade.
 *
 * <p>Compatibility: it also reads the JSON that earlier versions wrote ({@code JsonSerde}, Avro
 * events as base64 strings, before issue #10), so the stores, changelogs and repartition topics
 * such a version left behind are read after an upgrade; JSON is never written. Bytes that are neither throw
 * {@link SerializationException}: on a repartition topic such a record goes to the dead-letter
 * topic ({@link DeserializationDeadLetters}).
 *
 * <p>Thread-safe (Jackson's readers and writers are).
 *
 * @param <T> the value type (for sealed interfaces, the interface: it carries the type id)
 */
public final class InternalSerde<T> implements Serde<T> {

  /** The CBOR self-describe tag (55799) every value starts with. */
  private static final byte[] TAG = {(byte) 0xD9, (byte) 0xD9, (byte) 0xF7};

  private static final ObjectMapper CBOR = configure(CBORMapper.builder()
      .enable(CBORGenerator.Feature.WRITE_TYPE_HEADER)).build();
  private static final ObjectMapper LEGACY_JSON = configure(JsonMapper.builder()).build();

  private final Class<T> type;
  private final ObjectWriter writer;
  private final ObjectReader reader;
  private final ObjectReader legacyReader;

  private InternalSerde(final Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    this.writer = CBOR.writerFor(type);
    this.reader = CBOR.readerFor(type);
    this.legacyReader = LEGACY_JSON.readerFor(type);
  }

  public static <T> InternalSerde<T> of(final Class<T> type) {
    return new InternalSerde<>(type);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> data == null ? null : write(data);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  /** The value in the internal format. */
  public byte[] write(final T value) {
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new SerializationException("cannot write " + type.getSimpleName(), e);
    }
  }

  /**
   * The value of {@code bytes}.
   *
   * @throws SerializationException when they are not a {@code T} in the internal format (nor in
   *     the legacy JSON)
   */
  public T read(final byte[] bytes) {
    final ObjectReader format;
    if (startsWithTag(bytes)) {
      format = reader;
    } else if (bytes.length > 0 && bytes[0] == '{') {
      format = legacyReader;
    } else {
      throw new SerializationException("not a " + type.getSimpleName()
          + " in the processor's internal format (no CBOR tag, not JSON)");
    }
    try {
      return format.readValue(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static boolean startsWithTag(final byte[] bytes) {
    if (bytes.length < TAG.length) {
      return false;
    }
    for (int i = 0; i < TAG.length; i++) {
      if (bytes[i] != TAG[i]) {
        return false;
      }
    }
    return true;
  }

  private static <M extends ObjectMapper, B extends MapperBuilder<M, B>>
      B configure(final B builder) {
    final SimpleModule avro = new SimpleModule("avro-records")
        .addSerializer(UserEvent.class, new JsonSerializer<>() {
          @Override
          public void serialize(final UserEvent event, final JsonGenerator out,
              final SerializerProvider provider) throws IOException {
            out.writeBinary(Topics.USER_EVENTS.valueSerde().serializer()
                .serialize(Topics.USER_EVENTS.name(), event));
          }
        })
        .addDeserializer(UserEvent.class, new JsonDeserializer<>() {
          @Override
          public UserEvent deserialize(final JsonParser in, final DeserializationContext context)
              throws IOException {
            // a CBOR byte string, or (legacy JSON) a base64 string
            return Topics.USER_EVENTS.valueSerde().deserializer()
                .deserialize(Topics.USER_EVENTS.name(), in.getBinaryValue());
          }
        });
    return builder
        .addModule(new Jdk8Module())
        .addModule(avro)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
