package io.tidewire.gateway.recovery;

/** Something read from a partition at an offset, e.g. an event. Implementations are immutable. */
public interface Positioned {

  /** The partition the record came from. */
  int partition();

  /** The record's offset in its partition. */
  long offset();
}
