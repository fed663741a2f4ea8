package io.tidewire.processor.internals;

import io.tidewire.processor.ReactionTable;
import io.tidewire.schemas.avro.Notification;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code notification} payloads, one factory per cause. The notification's {@code id} is the
 * id of the event that carries it, so a client can use either to mark it read. Titles and bodies
 * are plain English defaults; {@code kind} and {@code refs} are the contract a UI localizes from.
 * Thread-safe (stateless).
 */
public final class Notifications {

  /** The event type. */
  public static final String TYPE = "notification";

  public static final String KIND_GENERATION_COMPLETED = "generation_completed";
  public static final String KIND_GENERATION_FAILED = "generation_failed";
  public static final String KIND_MODEL_READY = "model_ready";

  /** Longest comment excerpt in a notification body, in characters. */
  static final int EXCERPT = 140;

  private Notifications() {}

  /** Someone else liked or commented on the owner's content. */
  public static Notification reaction(final ContentInput.Reaction reaction, final String id) {
    final Map<String, String> refs = new LinkedHashMap<>();
    refs.put("contentType", reaction.contentType());
    refs.put("contentId", reaction.contentId());
    refs.put("actorId", reaction.actorId());
    reaction.commentId().ifPresent(c -> refs.put("commentId", c));
    final boolean like = reaction.kind() == ReactionTable.Kind.LIKE;
    final String body = like
        ? "Someone liked your " + reaction.contentType() + "."
        : reaction.body().map(Notifications::excerpt)
            .orElse("Someone commented on your " + reaction.contentType() + ".");
    return notification(id, reaction.kind().label(), like ? "New like" : "New comment", body, refs);
  }

  /** A generation job reached {@code completed}. */
  static Notification generationCompleted(final String id, final String jobId, final String kind,
      final Optional<String> prompt, final Optional<String> resultUrl) {
    final Map<String, String> refs = new LinkedHashMap<>();
    refs.put("jobId", jobId);
    refs.put("kind", kind);
    resultUrl.ifPresent(u -> refs.put("resultUrl", u));
    return notification(id, KIND_GENERATION_COMPLETED, "Your " + kind + " is ready",
        prompt.map(p -> "\u201c" + excerpt(p) + "\u201d finished.")
            .orElse("Your " + kind + " generation finished."), refs);
  }

  /** A generation job reached {@code failed}. */
  static Notification generationFailed(final String id, final String jobId, final String kind,
      final Optional<String> error) {
    final Map<String, String> refs = new LinkedHashMap<>();
    refs.put("jobId", jobId);
    refs.put("kind", kind);
    error.ifPresent(e -> refs.put("error", e));
    return notification(id, KIND_GENERATION_FAILED, "Your " + kind + " generation failed",
        error.map(e -> "The generation failed: " + excerpt(e)).orElse("The generation failed."), refs);
  }

  /** A training job completed and its model is ready. */
  static Notification modelReady(final String id, final String jobId, final String modelId,
      final int steps) {
    final Map<String, String> refs = new LinkedHashMap<>();
    refs.put("jobId", jobId);
    refs.put("modelId", modelId);
    return notification(id, KIND_MODEL_READY, "Your model is ready", String.format(Locale.ROOT,
        "Training finished after %d steps; model %s is ready.", steps, modelId), refs);
  }

  private static Notification notification(final String id, final String kind, final String title,
      final String body, final Map<String, String> refs) {
    return Notification.newBuilder().setId(id).setKind(kind).setTitle(title).setBody(body)
        .setRefs(refs).build();
  }

  static String excerpt(final String text) {
    final String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= EXCERPT ? flat : flat.substring(0, EXCERPT - 1) + "\u2026";
  }
}
