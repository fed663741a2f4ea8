package io.tidewire.processor;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.schemas.avro.ContentAccess;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code realtime.content-access}: every change of every feed table's row says who may see it now
 * (owner and visibility), keyed by {@code contentType:contentId}; a deleted row is a tombstone.
 */
class ContentAccessTopologyTest {

  private static final String ALICE = "a11ce000-0000-4000-8000-000000000001";
  private static final String BOB = "b0b00000-0000-4000-8000-000000000002";
  private static final String VIDEO = "0f000000-0000-4000-8000-0000000000a1";
  private static final String IMAGE = "1f000000-0000-4000-8000-0000000000b1";

  private TestTopology topology;
  private long lsn = 70_000;

  @BeforeEach
  void start() {
    topology = TestTopology.start();
  }

  @AfterEach
  void stop() {
    topology.close();
  }

  private void pipe(final String table, final String id, final Envelopes change) {
    topology.pipe(table, id, change.lsn(++lsn));
  }

  private static Map<String, Object> video(final String owner, final boolean isPublic) {
    return row("id", VIDEO, "user_id", owner, "is_public", isPublic, "url", "https://cdn.example/v",
        "caption", "sunset", "created_at", "2026-11-27T02:30:00Z");
  }

  private List<KeyValue<String, ContentAccess>> access() {
    return topology.contentAccess.readKeyValuesToList();
  }

  /** What decides access, per record: {@code key owner=… public=…} or {@code key tombstone}. */
  private static List<String> decisive(final List<KeyValue<String, ContentAccess>> records) {
    return records.stream().map(kv -> {
      if (kv.value == null) {
        return kv.key + " tombstone";
      }
      assertThat(kv.key).isEqualTo(kv.value.getContentType() + ":" + kv.value.getContentId());
      return line(kv.key, kv.value.getOwner(), kv.value.getIsPublic());
    }).toList();
  }

  private static String line(final String key, final String owner, final boolean isPublic) {
    return key + " owner=" + owner + " public=" + isPublic;
  }

  @Test
  void aPublicAndAPrivateInsertSayOwnerAndVisibility() {
    pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(ALICE, true)));
    pipe("public.images", IMAGE, Envelopes.insert("public.images", row("id", IMAGE, "user_id", BOB,
        "is_public", false, "url", "https://cdn.example/i", "caption", "private",
        "created_at", "2026-11-27T02:30:00Z")));

    final List<KeyValue<String, ContentAccess>> records = access();
    assertThat(decisive(records)).containsExactly(line("video:" + VIDEO, ALICE, true),
        line("image:" + IMAGE, BOB, false));
    final ContentAccess first = records.get(0).value;
    assertThat(first.getTs()).isEqualTo(1_700_000_000_000L);
    assertThat(first.getSource().getTable()).isEqualTo("public.videos");
    assertThat(first.getSource().getLsn()).isEqualTo(70_001L);
    assertThat(topology.counter("tidewire.processor.content.access", "outcome", "updated")).isEqualTo(2);
  }

  @Test
  void everyUpdateWritesTheVisibilityAndOwnerAfterIt() {
    pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(ALICE, true)));
    pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(ALICE, true), video(ALICE, false)));
    pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(ALICE, false), video(BOB, false)));
    pipe("public.videos", VIDEO, Envelopes.update("public.videos", video(BOB, false), video(BOB, true)));

    final String key = "video:" + VIDEO;
    assertThat(decisive(access())).containsExactly(line(key, ALICE, true), line(key, ALICE, false),
        line(key, BOB, false), line(key, BOB, true));
  }

  @Test
  void aDeletedRowIsATombstone() {
    pipe("public.videos", VIDEO, Envelopes.insert("public.videos", video(ALICE, false)));
    pipe("public.videos", VIDEO, Envelopes.delete("public.videos", video(ALICE, false)));

    assertThat(decisive(access())).containsExactly(line("video:" + VIDEO, ALICE, false),
        "video:" + VIDEO + " tombstone");
    assertThat(topology.counter("tidewire.processor.content.access", "outcome", "deleted")).isEqualTo(1);
    assertThat(topology.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void aSnapshotReadWritesTheRowsAccessLikeAnInsert() {
    pipe("public.videos", VIDEO, Envelopes.snapshot("public.videos", video(ALICE, true)).noLsn());

    final List<KeyValue<String, ContentAccess>> records = access();
    assertThat(decisive(records)).containsExactly(line("video:" + VIDEO, ALICE, true));
    assertThat(records.get(0).value.getSource().getSnapshot()).isTrue();
  }

  @Test
  void aRedeliveredChangeIsWrittenOnce() {
    final Envelopes insert = Envelopes.insert("public.videos", video(ALICE, true)).lsn(80_000);
    topology.pipe("public.videos", VIDEO, insert);
    topology.pipe("public.videos", VIDEO, insert);

    assertThat(access()).hasSize(1);
  }

  @Test
  void aRowWithoutOwnerIsADeadLetterNotAnAccessRecord() {
    pipe("public.videos", VIDEO, Envelopes.insert("public.videos", row("id", VIDEO, "user_id", null,
        "is_public", true, "url", "u", "caption", "c", "created_at", "2026-11-27T02:30:00Z")));

    assertThat(access()).isEmpty();
    assertThat(topology.deadLetters.readRecordsToList()).hasSize(1);
  }
}
