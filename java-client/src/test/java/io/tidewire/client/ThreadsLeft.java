package io.tidewire.client;

import java.util.Collection;
import java.util.List;

/** Finds threads a test left running. */
final class ThreadsLeft {

  private ThreadsLeft() {}

  /** Live threads named {@code prefix…} that were not in {@code before}. */
  static List<String> startedSince(final Collection<Thread> before, final String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t) && t.getName().startsWith(prefix))
        .map(Thread::getName)
        .toList();
  }
}
