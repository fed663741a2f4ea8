package io.tidewire.processor.internals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic event ids. The id is the first 16 bytes of SHA-256, in lower-case hex, over
 * {@code position|schema.table|canonical key JSON|op|event type}, where position is
 * {@code lsn:<source.lsn>} or, for a snapshot row without an LSN, {@code snapshot:<source.ts_ms>}.
 * The same change delivered twice (a capture retry, a processor replay after an aborted
 * transaction) therefore carries the same id, while two changes of one row differ by LSN.
 *
 * <p>The event type is part of the input so that one change may later yield several events for
 * one user (a job's progress and a notification) without their ids colliding. Snapshot rows share
 * the snapshot's LSN and differ by key. Thread-safe (stateless).
 */
public final class EventIds {

  private EventIds() {}

  /** The id of the event of {@code eventType} derived from {@code change}. */
  public static String of(final ChangeEnvelope change, final String eventType) {
    return hash(identity(change) + "|" + eventType);
  }

  /**
   * The identity of the change itself, without an event type: equal for a change and its
   * redelivery, different for any two changes. The de-duplication key.
   */
  public static String changeId(final ChangeEnvelope change) {
    return hash(identity(change));
  }

  /**
   * The id of an event derived from state rather than from one change (a coalesced
   * {@code feed.counts}): the same hash over the parts joined by {@code |}, which must together
   * name the state, e.g. the content key and the change id of the last change folded in.
   */
  public static String derived(final String... parts) {
    return hash(String.join("|", parts));
  }

  private static String identity(final ChangeEnvelope change) {
    final String position = change.lsn().isPresent()
        ? "lsn:" + change.lsn().getAsLong()
        : "snapshot:" + change.sourceTsMs();
    return position + "|" + change.table().qualified() + "|" + change.canonicalKey()
        + "|" + change.op().code();
  }

  private static String hash(final String input) {
    return HexFormat.of().formatHex(sha256(input.getBytes(StandardCharsets.UTF_8)), 0, 16);
  }

  private static byte[] sha256(final byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
