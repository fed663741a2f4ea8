package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.GenerationProgress;
import java.util.Optional;

/**
 * {@code generation.progress} from a {@code generation_jobs} row (columns id, kind, status,
 * progress, error, result_url). A deleted job yields no event: the client learnt the final state
 * from the last update, and there is no "job removed" event type yet. Thread-safe (stateless).
 */
public final class GenerationProgressMapper implements UserDataMapper {

  public static final String TYPE = "generation.progress";

  @Override
  public Optional<UserData> map(final ChangeEnvelope change) {
    if (change.op() == Op.DELETE) {
      return Optional.empty();
    }
    final Row row = change.row();
    return Optional.of(new UserData(TYPE, GenerationProgress.newBuilder()
        .setJobId(row.requireText("id"))
        .setKind(row.requireText("kind"))
        .setStatus(row.requireText("status"))
        .setProgress(row.intOr("progress", 0))
        .setError(row.text("error").orElse(null))
        .setResultUrl(row.text("result_url").orElse(null))
        .build()));
  }
}
