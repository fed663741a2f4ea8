package io.tidewire.processor.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.tidewire.processor.ReactionTable;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.CreditsUpdated;
import io.tidewire.schemas.avro.UserEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The one format of the processor's repartition topics and stores. */
class InternalSerdeTest {

  private static final Position POSITION =
      new Position("public.users", Optional.of(5L), Optional.of(9L), false);
  private static final ContentInput.Reaction REACTION = new ContentInput.Reaction("video", "v1", "c", 7,
      POSITION, ReactionTable.Kind.LIKE, "u2", 1, Optional.of("n"), Optional.empty(), Optional.empty());
  private static final UserEvent EVENT = UserEvent.newBuilder()
      .setId("e1")
      .setUserId("u1")
      .setType("credits.updated")
      .setTs(1_000)
      .setSource(POSITION.toAvro())
      .setData(CreditsUpdated.newBuilder().setBalance(40).setDelta(-2).setReason("export").build())
      .build();
  private static final UserChange CHANGE =
      new UserChange(new UserStateInput.Balance(40, Optional.of(5L), 1_000), List.of(EVENT, EVENT));

  /** What {@code JsonSerde} wrote before issue #10: JSON, the events' Avro bytes in base64. */
  private static final ObjectMapper LEGACY = JsonMapper.builder().addModule(new Jdk8Module()).build();

  private record LegacyUserChange(UserStateInput state, List<byte[]> events) {}

  private static <T> T roundTrip(final T value, final Class<T> type) {
    final InternalSerde<T> serde = InternalSerde.of(type);
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
  }

  @Test
  void everyRepartitionedInputAndStoreValueSurvivesItsEncoding() {
    final ContentState state = ContentState.UNKNOWN.withReaction(REACTION).withWaiting(REACTION);
    final PendingCredits pending = PendingCredits.EMPTY
        .onBalance(new CreditsInput.BalanceChange("e", "u1", 5, 5, 1, POSITION), 100).pending();
    final UserStateValue user = UserStateValue.EMPTY
        .apply(new UserStateInput.Balance(7, Optional.empty(), 3))
        .apply(new UserStateInput.JobActive(new UserStateValue.Job("j1", "training", Optional.empty(),
            "active", 40, Optional.of(4), Optional.of(10), 3)));
    final CreditsInput transaction =
        new CreditsInput.Transaction("t1", "u1", -2, Optional.of("export"), POSITION);

    assertThat(roundTrip(REACTION, ContentInput.class)).isEqualTo(REACTION);
    assertThat(roundTrip(transaction, CreditsInput.class)).isEqualTo(transaction);
    assertThat(roundTrip(CHANGE, UserChange.class)).isEqualTo(CHANGE);
    assertThat(roundTrip(state, ContentState.class)).isEqualTo(state);
    assertThat(roundTrip(pending, PendingCredits.class)).isEqualTo(pending);
    assertThat(roundTrip(user, UserStateValue.class)).isEqualTo(user);
    assertThat(roundTrip(new ContentTimers(1, ContentTimers.NONE), ContentTimers.class))
        .isEqualTo(new ContentTimers(1, ContentTimers.NONE));
  }

  @Test
  void eventsTravelAsTheirAvroBytesNotAsBase64Text() {
    final byte[] avro = Topics.USER_EVENTS.valueSerde().serializer().serialize("t", EVENT);

    final byte[] encoded = InternalSerde.of(UserChange.class).write(CHANGE);

    assertThat(indexOf(encoded, avro)).as("the event's bytes, verbatim").isNotNegative();
    assertThat(encoded.length).isLessThan(legacyJson(CHANGE).length);
  }

  @Test
  void readsTheJsonThatEarlierVersionsWrote() throws Exception {
    final ContentState state = ContentState.UNKNOWN.withReaction(REACTION);

    assertThat(InternalSerde.of(UserChange.class).read(legacyJson(CHANGE))).isEqualTo(CHANGE);
    assertThat(InternalSerde.of(ContentState.class).read(LEGACY.writeValueAsBytes(state))).isEqualTo(state);
    assertThat(InternalSerde.of(ContentInput.class).read(LEGACY.writeValueAsBytes(REACTION)))
        .isEqualTo(REACTION);
  }

  @Test
  void fieldsOfANewerVersionAreIgnored() throws Exception {
    final Map<String, Object> newer = new LinkedHashMap<>();
    newer.put("countsDueMs", 1);
    newer.put("expiresAtMs", 2);
    newer.put("addedLater", List.of("x"));
    final ObjectMapper cbor = CBORMapper.builder().enable(CBORGenerator.Feature.WRITE_TYPE_HEADER).build();

    assertThat(InternalSerde.of(ContentTimers.class).read(cbor.writeValueAsBytes(newer)))
        .isEqualTo(new ContentTimers(1, 2));
  }

  @Test
  void bytesThatAreNotAValueAreASerializationException() {
    final InternalSerde<UserChange> serde = InternalSerde.of(UserChange.class);
    final byte[] valid = serde.write(CHANGE);
    final byte[] noise = new byte[64];
    new Random(10).nextBytes(noise);

    for (final byte[] bytes : List.of(new byte[0], noise, "not json".getBytes(StandardCharsets.UTF_8),
        "{\"state\":".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(valid, valid.length / 2),
        InternalSerde.of(ContentTimers.class).write(ContentTimers.EMPTY))) {
      assertThatThrownBy(() -> serde.read(bytes)).isInstanceOf(SerializationException.class);
    }
    final byte[] badEvent = valid.clone();
    badEvent[indexOf(valid, Topics.USER_EVENTS.valueSerde().serializer().serialize("t", EVENT)) + 1] ^= 0x7f;
    assertThatThrownBy(() -> serde.read(badEvent)).isInstanceOf(SerializationException.class);
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  private static byte[] legacyJson(final UserChange change) {
    try {
      return LEGACY.writeValueAsBytes(new LegacyUserChange(change.state(), change.events().stream()
          .map(e -> Topics.USER_EVENTS.valueSerde().serializer().serialize("t", e)).toList()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int indexOf(final byte[] haystack, final byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
