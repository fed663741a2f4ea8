package io.tidewire.processor.internals;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tidewire.processor.Envelopes;
import io.tidewire.processor.TableId;
import io.tidewire.processor.internals.DecodeException.Kind;
import io.tidewire.schemas.avro.SourcePosition;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class EnvelopeDecoderTest {

  private static final TableId JOBS = new TableId("public", "generation_jobs");
  private static final byte[] KEY = Envelopes.idKey("j1");

  private static DecodeException failure(final byte[] key, final byte[] value) {
    return catchThrowableOfType(DecodeException.class, () -> EnvelopeDecoder.decode(JOBS, key, value));
  }

  private static DecodeException failure(final byte[] value) {
    return failure(KEY, value);
  }

  private static byte[] utf8(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] edited(final Envelopes envelope, final Consumer<Map<String, Object>> edit) {
    final Map<String, Object> map = envelope.asMap();
    edit.accept(map);
    return Envelopes.json(map);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> source(final Map<String, Object> envelope) {
    return (Map<String, Object>) envelope.get("source");
  }

  private static Envelopes insert() {
    return Envelopes.insert("public.generation_jobs", row("id", "j1", "user_id", "u1"));
  }

  @Test
  void decodesAnUpdateWithItsSourcePosition() {
    final ChangeEnvelope change = EnvelopeDecoder.decode(JOBS, KEY, Envelopes.update("public.generation_jobs",
        row("id", "j1", "progress", 10), row("id", "j1", "progress", 20)).lsn(77).txId(9).tsMs(1234).bytes());

    assertThat(change.op()).isEqualTo(Op.UPDATE);
    assertThat(change.row().intOr("progress", -1)).isEqualTo(20);
    assertThat(change.beforeRow().orElseThrow().intOr("progress", -1)).isEqualTo(10);
    assertThat(change.sourceTsMs()).isEqualTo(1234);
    assertThat(change.canonicalKey()).isEqualTo("{\"id\":\"j1\"}");
    assertThat(change.position()).isEqualTo(SourcePosition.newBuilder()
        .setTable("public.generation_jobs").setLsn(77L).setTxId(9L).setSnapshot(false).build());
  }

  @Test
  void aDeleteIsItsBeforeRow() {
    final ChangeEnvelope change = EnvelopeDecoder.decode(JOBS, KEY,
        Envelopes.delete("public.generation_jobs", row("id", "j1")).bytes());

    assertThat(change.row().requireText("id")).isEqualTo("j1");
    assertThat(change.afterRow()).isEmpty();
  }

  @Test
  void snapshotReadsAreMarkedAsSnapshot() {
    final ChangeEnvelope change = EnvelopeDecoder.decode(JOBS, KEY,
        Envelopes.snapshot("public.generation_jobs", row("id", "j1")).bytes());

    assertThat(change.op()).isEqualTo(Op.READ);
    assertThat(change.position().getSnapshot()).isTrue();
  }

  @Test
  void garbageIsNotJson() {
    final DecodeException e = failure(utf8("not json"));

    assertThat(e.kind()).isEqualTo(Kind.NOT_JSON);
    assertThat(e.reason()).startsWith("not_json: value is not JSON");
    assertThat(e.exceptionClass()).isEqualTo("com.fasterxml.jackson.core.JsonParseException");
  }

  @Test
  void trailingGarbageIsNotJson() {
    assertThat(failure(utf8("{\"op\":\"c\"} trailing")).kind()).isEqualTo(Kind.NOT_JSON);
  }

  @Test
  void emptyValueIsNotJson() {
    assertThat(failure(new byte[0]).reason()).isEqualTo("not_json: value is empty");
  }

  @Test
  void aJsonArrayIsNotAnEnvelope() {
    assertThat(failure(utf8("[1,2]")).reason()).isEqualTo("not_json: value is JSON array, not an object");
  }

  @Test
  void anUndecodableKeyIsNotJson() {
    assertThat(failure(utf8("j1"), insert().bytes()).reason()).startsWith("not_json: key is not JSON");
  }

  @Test
  void opIsRequired() {
    assertThat(failure(edited(insert(), m -> m.remove("op"))).reason())
        .isEqualTo("missing_field: envelope has no op");
  }

  @Test
  void unknownOpsAreRejected() {
    final DecodeException e = failure(edited(insert(), m -> m.put("op", "t")));

    assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_OP);
    assertThat(e.reason()).isEqualTo("unknown_op: op 't' is not one of c, u, d, r");
  }

  @Test
  void sourceIsRequired() {
    assertThat(failure(edited(insert(), m -> m.remove("source"))).reason())
        .isEqualTo("missing_field: envelope has no source");
  }

  @Test
  void wrongTypesAreRejected() {
    assertThat(failure(edited(insert(), m -> source(m).put("lsn", "abc"))).reason())
        .isEqualTo("wrong_type: source.lsn should be an integer, got string");
    assertThat(failure(edited(insert(), m -> m.put("op", 1))).reason())
        .isEqualTo("wrong_type: op should be text, got number");
    assertThat(failure(edited(insert(), m -> m.put("after", "x"))).reason())
        .isEqualTo("wrong_type: after should be an object or null, got string");
  }

  @Test
  void streamedChangesNeedAnLsn() {
    assertThat(failure(insert().noLsn().bytes()).reason())
        .isEqualTo("missing_field: source.lsn is missing or null on a streamed change (op c)");
  }

  @Test
  void imagesMustMatchTheOp() {
    assertThat(failure(edited(insert(), m -> m.put("after", null))).reason())
        .isEqualTo("missing_field: op c without an after row");
    assertThat(failure(edited(Envelopes.delete("public.generation_jobs", row("id", "j1")),
        m -> m.put("before", null))).reason())
        .isEqualTo("missing_field: delete without a before row");
  }

  /**
   * The one-pass reader and the tree decoder agree on every envelope: each field of an insert, an
   * update, a delete and a snapshot read removed, set to null, to text, to an integer, to a
   * fraction, to an array and to an object, and the records with duplicated, reordered or extra
   * fields, trailing data and keys in another order: the same change or the same refusal.
   */
  @Test
  void theOnePassReaderDecodesExactlyAsTheTreeDoes() {
    final List<Envelopes> valid = List.of(insert(),
        Envelopes.update("public.generation_jobs", row("id", "j1", "progress", 10), row("id", "j1", "progress", 20)),
        Envelopes.delete("public.generation_jobs", row("id", "j1", "user_id", "u1")),
        Envelopes.snapshot("public.generation_jobs", row("id", "j1")).noLsn());
    final List<Object> replacements = Arrays.asList(null, "x", 7, 1.5, List.of(1), Map.of("a", 1),
        Long.MAX_VALUE, new BigInteger("99999999999999999999"));
    final List<byte[]> values = new ArrayList<>();
    for (final Envelopes envelope : valid) {
      values.add(envelope.bytes());
      for (final String field : envelope.asMap().keySet()) {
        values.add(edited(envelope, m -> m.remove(field)));
        for (final Object replacement : replacements) {
          values.add(edited(envelope, m -> m.put(field, replacement)));
        }
      }
      for (final String field : source(envelope.asMap()).keySet()) {
        values.add(edited(envelope, m -> source(m).remove(field)));
        for (final Object replacement : replacements) {
          values.add(edited(envelope, m -> source(m).put(field, replacement)));
        }
      }
      final String json = new String(envelope.bytes(), StandardCharsets.UTF_8);
      values.add(utf8(json + " "));
      values.add(utf8(json + " {}"));
      values.add(utf8(json + " x"));
      values.add(utf8(json.substring(0, json.length() - 1) + ",\"extra\":{\"a\":[1,{\"b\":2}]}}"));
      values.add(utf8(json.substring(0, json.length() - 1) + ",\"op\":\"d\"}"));
      values.add(utf8(json.substring(0, json.length() - 1) + ",\"source\":{\"ts_ms\":1}}"));
      values.add(utf8("{\"op\":\"x\"," + json.substring(1)));
      values.add(utf8(json.substring(0, json.length() / 2)));
    }
    final List<byte[]> keys = Arrays.asList(KEY, null, utf8("{\"b\":1,\"a\":{\"d\":[{\"f\":1,\"e\":2}],\"c\":3}}"));

    for (final byte[] key : keys) {
      for (final byte[] value : values) {
        final String what = new String(value, StandardCharsets.UTF_8) + " with key "
            + (key == null ? null : new String(key, StandardCharsets.UTF_8));
        final Object onePass = outcome(() -> EnvelopeDecoder.decode(JOBS, key, value));
        final Object tree = outcome(() -> EnvelopeDecoder.decodeTree(JOBS, key, value));
        assertThat(onePass).as(what).isEqualTo(tree);
      }
    }
    assertThat(values).hasSizeGreaterThan(200);
    assertThat(valid).allSatisfy(envelope -> assertThat(EnvelopeDecoder.readsInOnePass(envelope.bytes())).isTrue());
  }

  /** The change decoded, or the refusal's reason. */
  private static Object outcome(final Supplier<ChangeEnvelope> decode) {
    try {
      return decode.get();
    } catch (DecodeException e) {
      return e.reason();
    }
  }
}
