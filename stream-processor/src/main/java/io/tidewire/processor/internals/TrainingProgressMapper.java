package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.TrainingProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code training.progress} from a {@code training_jobs} row (columns id, status, step,
 * total_steps, error, model_id), with a percentage derived by {@link #progress}; and a
 * {@code notification} ({@code model_ready}) when the model becomes ready: the row is
 * {@code completed} with a {@code model_id} now and was not before (inserted so, or updated from
 * another state; an update without a before image notifies nothing). A deleted job yields no event
 * (as for generation jobs). Thread-safe (stateless).
 */
public final class TrainingProgressMapper implements UserDataMapper {

  public static final String TYPE = "training.progress";
  static final String COMPLETED = "completed";

  @Override
  public List<UserData> map(final ChangeEnvelope change) {
    if (change.op() == Op.DELETE) {
      return List.of();
    }
    final Row row = change.row();
    final String jobId = row.requireText("id");
    final String status = row.requireText("status");
    final int step = row.intOr("step", 0);
    final int totalSteps = row.intOr("total_steps", 0);
    final Optional<String> modelId = row.text("model_id");
    final List<UserData> out = new ArrayList<>(2);
    out.add(new UserData(TYPE, TrainingProgress.newBuilder()
        .setJobId(jobId)
        .setStatus(status)
        .setStep(step)
        .setTotalSteps(totalSteps)
        .setProgress(progress(status, step, totalSteps))
        .setError(row.text("error").orElse(null))
        .setModelId(modelId.orElse(null))
        .build()));
    if (modelBecameReady(change)) {
      out.add(new UserData(Notifications.TYPE, Notifications.modelReady(
          change.eventId(Notifications.TYPE), jobId, modelId.orElseThrow(), Math.max(step, totalSteps))));
    }
    return out;
  }

  private static boolean modelBecameReady(final ChangeEnvelope change) {
    if (!ready(change.row())) {
      return false;
    }
    switch (change.op()) {
      case CREATE:
        return true;
      case UPDATE:
        return change.beforeRow().map(before -> !ready(before)).orElse(false);
      default:
        return false;
    }
  }

  private static boolean ready(final Row row) {
    return COMPLETED.equals(row.text("status").orElse("")) && row.text("model_id").isPresent();
  }

  /**
   * Percentage done: 100 once completed; otherwise {@code floor(100 * step / totalSteps)} clamped
   * to 0..100, and 0 while the total is unknown ({@code totalSteps <= 0}).
   */
  public static int progress(final String status, final int step, final int totalSteps) {
    if (COMPLETED.equals(status)) {
      return 100;
    }
    if (totalSteps <= 0) {
      return 0;
    }
    final long percent = Math.floorDiv(100L * step, totalSteps);
    return (int) Math.max(0, Math.min(100, percent));
  }
}
