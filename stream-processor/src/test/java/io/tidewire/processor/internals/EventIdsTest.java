package io.tidewire.processor.internals;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.processor.Envelopes;
import io.tidewire.processor.TableId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventIdsTest {

  private static final TableId JOBS = new TableId("public", "generation_jobs");
  private static final byte[] KEY = Envelopes.idKey("j1");

  private static ChangeEnvelope decode(final byte[] key, final Envelopes envelope) {
    return EnvelopeDecoder.decode(JOBS, key, envelope.bytes());
  }

  private static Envelopes update(final int progress) {
    return Envelopes.update("public.generation_jobs", row("id", "j1", "progress", progress - 10),
        row("id", "j1", "progress", progress));
  }

  @Test
  void theSameChangeDeliveredTwiceGetsTheSameId() {
    final String first = decode(KEY, update(50).lsn(100)).eventId("generation.progress");
    // A redelivery is re-captured: the envelope's own ts_ms differs, the source position does not.
    final String second = EnvelopeDecoder.decode(JOBS, KEY, update(50).lsn(100).bytes()).eventId("generation.progress");

    assertThat(second).isEqualTo(first);
  }

  @Test
  void idIs32LowerCaseHexCharacters() {
    assertThat(decode(KEY, update(50)).eventId("generation.progress")).matches("[0-9a-f]{32}");
  }

  @Test
  void changesAtDifferentLsnsGetDifferentIds() {
    assertThat(decode(KEY, update(50).lsn(100)).eventId("t"))
        .isNotEqualTo(decode(KEY, update(50).lsn(101)).eventId("t"));
  }

  @Test
  void eventTypeIsPartOfTheId() {
    final ChangeEnvelope change = decode(KEY, update(50));

    assertThat(change.eventId("generation.progress")).isNotEqualTo(change.eventId("notification"));
  }

  @Test
  void keyColumnOrderDoesNotMatter() {
    final byte[] ab = "{\"user_id\":\"u1\", \"content_id\":\"c1\"}".getBytes(StandardCharsets.UTF_8);
    final byte[] ba = "{\"content_id\":\"c1\",\"user_id\":\"u1\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(decode(ab, update(50)).canonicalKey()).isEqualTo("{\"content_id\":\"c1\",\"user_id\":\"u1\"}");
    assertThat(decode(ab, update(50)).eventId("t")).isEqualTo(decode(ba, update(50)).eventId("t"));
  }

  @Test
  void snapshotRowsShareTheLsnAndDifferByKey() {
    final Envelopes snapshot = Envelopes.snapshot("public.generation_jobs", row("id", "j1")).lsn(500);

    assertThat(decode(Envelopes.idKey("j1"), snapshot).eventId("t"))
        .isNotEqualTo(decode(Envelopes.idKey("j2"), snapshot).eventId("t"));
  }

  @Test
  void snapshotRowsWithoutLsnUseTheSnapshotTime() {
    final Envelopes first = Envelopes.snapshot("public.generation_jobs", row("id", "j1")).noLsn().tsMs(1000);
    final Envelopes again = Envelopes.snapshot("public.generation_jobs", row("id", "j1")).noLsn().tsMs(1000);
    final Envelopes later = Envelopes.snapshot("public.generation_jobs", row("id", "j1")).noLsn().tsMs(2000);

    assertThat(decode(KEY, first).eventId("t")).isEqualTo(decode(KEY, again).eventId("t"))
        .isNotEqualTo(decode(KEY, later).eventId("t"));
  }

  @Test
  void aRecordWithoutKeyIsIdentifiedByItsRow() {
    final ChangeEnvelope change = decode(null, Envelopes.insert("public.generation_jobs", row("b", 2, "a", 1)));

    assertThat(change.canonicalKey()).isEqualTo("{\"a\":1,\"b\":2}");
  }
}
