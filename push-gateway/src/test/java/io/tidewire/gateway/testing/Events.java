package io.tidewire.gateway.testing;

import io.tidewire.schemas.avro.ContentPublished;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.GenerationProgress;
import io.tidewire.schemas.avro.SourcePosition;
import io.tidewire.schemas.avro.UserEvent;

/** Builds test events. */
public final class Events {

  private Events() {}

  public static SourcePosition source(final String table) {
    return SourcePosition.newBuilder().setTable(table).setLsn(100L).setTxId(7L).setSnapshot(false).build();
  }

  /** A generation.progress event of {@code userId}. */
  public static UserEvent progress(final String userId, final String id, final int progress) {
    return UserEvent.newBuilder()
        .setId(id)
        .setUserId(userId)
        .setType("generation.progress")
        .setTs(1_700_000_000_000L)
        .setSource(source("public.generation_jobs"))
        .setData(GenerationProgress.newBuilder().setJobId("job-" + id).setKind("image")
            .setStatus("active").setProgress(progress).setError(null).setResultUrl(null).build())
        .build();
  }

  /** A feed.content_published event. */
  public static FeedEvent published(final String contentId) {
    return FeedEvent.newBuilder()
        .setId("feed-" + contentId)
        .setType("feed.content_published")
        .setTs(1_700_000_000_001L)
        .setSource(source("public.videos"))
        .setData(ContentPublished.newBuilder().setContentType("video").setContentId(contentId)
            .setUserId("someone").setUrl("https://cdn/" + contentId).setCaption(null).setCreatedAt(null).build())
        .build();
  }
}
