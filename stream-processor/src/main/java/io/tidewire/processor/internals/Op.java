package io.tidewire.processor.internals;

import java.util.Optional;

/** Debezium's change operations, with the names Tidewire events use. */
public enum Op {
  CREATE("c", "insert"),
  UPDATE("u", "update"),
  DELETE("d", "delete"),
  /** A row read by the initial (or an incremental) snapshot. */
  READ("r", "snapshot");

  private final String code;
  private final String label;

  Op(final String code, final String label) {
    this.code = code;
    this.label = label;
  }

  /** Debezium's one-letter code. */
  public String code() {
    return code;
  }

  /** insert | update | delete | snapshot, as in {@code RowChange.op}. */
  public String label() {
    return label;
  }

  /** The op for a Debezium code, empty for codes Tidewire does not process (t, m, ...). */
  public static Optional<Op> ofCode(final String code) {
    for (final Op op : values()) {
      if (op.code.equals(code)) {
        return Optional.of(op);
      }
    }
    return Optional.empty();
  }
}
