package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.GenerationProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code generation.progress} from a {@code generation_jobs} row (columns id, kind, status,
 * progress, error, result_url; prompt for the notification), and a {@code notification}
 * ({@code generation_completed} / {@code generation_failed}) when the job reaches
 * {@code completed} or {@code failed}: inserted so, or updated from another status (the before
 * image tells; an update without one notifies nothing). Further updates of a finished job and
 * snapshot reads notify nothing. A deleted job yields no event: the client learnt the final state
 * from the last update, and there is no "job removed" event type. Thread-safe (stateless).
 */
public final class GenerationProgressMapper implements UserDataMapper {

  public static final String TYPE = "generation.progress";
  static final String COMPLETED = "completed";
  static final String FAILED = "failed";

  @Override
  public List<UserData> map(final ChangeEnvelope change) {
    if (change.op() == Op.DELETE) {
      return List.of();
    }
    final Row row = change.row();
    final String jobId = row.requireText("id");
    final String kind = row.requireText("kind");
    final String status = row.requireText("status");
    final Optional<String> error = row.text("error");
    final Optional<String> resultUrl = row.text("result_url");
    final List<UserData> out = new ArrayList<>(2);
    out.add(new UserData(TYPE, GenerationProgress.newBuilder()
        .setJobId(jobId)
        .setKind(kind)
        .setStatus(status)
        .setProgress(row.intOr("progress", 0))
        .setError(error.orElse(null))
        .setResultUrl(resultUrl.orElse(null))
        .build()));
    if (reached(change, COMPLETED)) {
      out.add(new UserData(Notifications.TYPE, Notifications.generationCompleted(
          change.eventId(Notifications.TYPE), jobId, kind, row.text("prompt"), resultUrl)));
    } else if (reached(change, FAILED)) {
      out.add(new UserData(Notifications.TYPE, Notifications.generationFailed(
          change.eventId(Notifications.TYPE), jobId, kind, error)));
    }
    return out;
  }

  /**
   * True when this change moved the row's {@code status} to {@code target}: an insert with it, or
   * an update whose before image has another status. Snapshot reads and deletes never do.
   */
  static boolean reached(final ChangeEnvelope change, final String target) {
    if (!target.equals(change.row().text("status").orElse(""))) {
      return false;
    }
    switch (change.op()) {
      case CREATE:
        return true;
      case UPDATE:
        return change.beforeRow()
            .map(before -> !Objects.equals(target, before.text("status").orElse(null)))
            .orElse(false);
      default:
        return false;
    }
  }
}
