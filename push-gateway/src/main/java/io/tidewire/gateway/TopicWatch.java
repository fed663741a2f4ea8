package io.tidewire.gateway;

import io.tidewire.gateway.tail.TopicTail;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the live tails' topics with what the cluster says, each time {@link #check()} runs (the
 * gateway's timer, every {@code TIDEWIRE_GATEWAY_METADATA_CHECK_SECONDS}): partitions added to a
 * topic are handed to its tail ({@link TopicTail#follow}); a topic whose id changed (deleted and
 * created again) is a fault the gateway cannot follow: {@link #problem()} says which, and health is
 * DOWN until a restart. A failed description (Kafka unreachable) is only logged: the tails report
 * their own trouble, and the next check tries again.
 *
 * <p>Thread-safe; at most one description is in flight.
 */
final class TopicWatch {

  private static final Logger LOG = LoggerFactory.getLogger(TopicWatch.class);

  private final Function<List<String>, CompletionStage<Map<String, TopicDescription>>> describe;
  private final List<TopicTail> tails;
  private final Map<String, String> recreated = new ConcurrentHashMap<>();
  private final AtomicBoolean inFlight = new AtomicBoolean();

  /**
   * @param describe describes topics by name, asynchronously
   * @param tails the tails to keep up to date
   */
  TopicWatch(final Function<List<String>, CompletionStage<Map<String, TopicDescription>>> describe,
      final List<TopicTail> tails) {
    this.describe = describe;
    this.tails = List.copyOf(tails);
  }

  /** Starts one check unless one is still running; returns at once. */
  void check() {
    if (!inFlight.compareAndSet(false, true)) {
      return;
    }
    try {
      describe.apply(tails.stream().map(TopicTail::topic).toList()).whenComplete((topics, failure) -> {
        try {
          if (failure != null) {
            LOG.warn("Cannot describe the event topics to check their partitions: {}", failure.toString());
          } else {
            compare(topics);
          }
        } finally {
          inFlight.set(false);
        }
      });
    } catch (RuntimeException e) {
      inFlight.set(false);
      LOG.warn("Cannot describe the event topics to check their partitions: {}", e.toString());
    }
  }

  private void compare(final Map<String, TopicDescription> topics) {
    for (final TopicTail tail : tails) {
      final TopicDescription topic = topics.get(tail.topic());
      if (topic == null) {
        continue;
      }
      if (!topic.topicId().equals(tail.topicId())) {
        final String reason = "topic " + tail.topic() + " was recreated (id " + tail.topicId() + " → "
            + topic.topicId() + "): restart the gateway";
        if (recreated.put(tail.topic(), reason) == null) {
          LOG.error("{}", reason);
        }
      } else if (topic.partitions().size() > tail.partitions()) {
        LOG.warn("Partitions of {} increased from {} to {}", tail.topic(), tail.partitions(),
            topic.partitions().size());
        tail.follow(topic.partitions().size());
      }
    }
  }

  /** Why the tails cannot follow their topics any more, if they cannot (a topic was recreated). */
  Optional<String> problem() {
    return recreated.values().stream().sorted().reduce((a, b) -> a + "; " + b);
  }
}
