package io.tidewire.processor;

import io.tidewire.schemas.avro.UserEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Part of {@code realtime.user-events} as a test reads it: the records that {@code wanted} selects,
 * in topic order. Views of one topic share it: reading one view moves the others' records into
 * their own queues, so each view sees all its records, whichever view reads first.
 */
final class UserEventsView {

  private final TestOutputTopic<String, UserEvent> topic;
  private final Predicate<UserEvent> wanted;
  private final Queue<TestRecord<String, UserEvent>> queue = new ArrayDeque<>();
  private List<UserEventsView> siblings = List.of();

  UserEventsView(final TestOutputTopic<String, UserEvent> topic, final Predicate<UserEvent> wanted) {
    this.topic = topic;
    this.wanted = wanted;
  }

  /** Every view of the topic, this one included; each record goes to the first that wants it. */
  static void share(final List<UserEventsView> views) {
    views.forEach(v -> v.siblings = views);
  }

  private void drain() {
    for (final TestRecord<String, UserEvent> record : topic.readRecordsToList()) {
      for (final UserEventsView view : siblings) {
        if (view.wanted.test(record.value())) {
          view.queue.add(record);
          break;
        }
      }
    }
  }

  boolean isEmpty() {
    drain();
    return queue.isEmpty();
  }

  TestRecord<String, UserEvent> readRecord() {
    drain();
    if (queue.isEmpty()) {
      throw new NoSuchElementException("no record of this view on " + topic);
    }
    return queue.remove();
  }

  KeyValue<String, UserEvent> readKeyValue() {
    final TestRecord<String, UserEvent> record = readRecord();
    return KeyValue.pair(record.key(), record.value());
  }

  List<TestRecord<String, UserEvent>> readRecordsToList() {
    drain();
    final List<TestRecord<String, UserEvent>> all = List.copyOf(queue);
    queue.clear();
    return all;
  }

  List<KeyValue<String, UserEvent>> readKeyValuesToList() {
    return readRecordsToList().stream().map(r -> KeyValue.pair(r.key(), r.value())).toList();
  }

  List<UserEvent> readValuesToList() {
    return readRecordsToList().stream().map(TestRecord::value).toList();
  }
}
