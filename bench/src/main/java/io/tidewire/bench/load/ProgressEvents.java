package io.tidewire.bench.load;

import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.UserEvent;

/**
 * {@code generation.progress} events as the processor writes them to {@code realtime.user-events}
 * (Avro {@code UserEvent}, source {@code public.generation_jobs}), for the scenarios that produce
 * straight to that topic. Stateless.
 */
public final class ProgressEvents {

  private ProgressEvents() {
  }

  /**
   * One event.
   *
   * @param id the event id
   * @param owner the user it belongs to (the record key)
   * @param seq a sequence number, from which a plausible source LSN and transaction id are made
   * @param job the job id
   * @param round how far the job is; progress is {@code round % 100 + 1}
   */
  public static UserEvent of(final String id, final String owner, final long seq,
      final String job, final int round) {
    return UserEvent.newBuilder()
        .setId(id)
        .setUserId(owner)
        .setType("generation.progress")
        .setTs(System.currentTimeMillis())
        .setSource(SourcePosition.newBuilder()
            .setTable("public.generation_jobs")
            .setLsn(1_000_000_000L + seq * 128)
            .setTxId(10_000L + seq)
            .setSnapshot(false)
            .build())
        .setData(GenerationProgress.newBuilder()
            .setJobId(job)
            .setKind("image")
            .setStatus("active")
            .setProgress(round % 100 + 1)
            .build())
        .build();
  }
}
