package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.TrainingProgress;
import java.util.Optional;

/**
 * {@code training.progress} from a {@code training_jobs} row (columns id, status, step,
 * total_steps, error, model_id), with a percentage derived by {@link #progress}. A deleted job
 * yields no event (as for generation jobs). Thread-safe (stateless).
 */
public final class TrainingProgressMapper implements UserDataMapper {

  public static final String TYPE = "training.progress";
  static final String COMPLETED = "completed";

  @Override
  public Optional<UserData> map(final ChangeEnvelope change) {
    if (change.op() == Op.DELETE) {
      return Optional.empty();
    }
    final Row row = change.row();
    final String status = row.requireText("status");
    final int step = row.intOr("step", 0);
    final int totalSteps = row.intOr("total_steps", 0);
    return Optional.of(new UserData(TYPE, TrainingProgress.newBuilder()
        .setJobId(row.requireText("id"))
        .setStatus(status)
        .setStep(step)
        .setTotalSteps(totalSteps)
        .setProgress(progress(status, step, totalSteps))
        .setError(row.text("error").orElse(null))
        .setModelId(row.text("model_id").orElse(null))
        .build()));
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
