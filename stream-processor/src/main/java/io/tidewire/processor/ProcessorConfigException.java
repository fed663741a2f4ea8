package io.tidewire.processor;

import java.util.List;

/**
 * The processor's configuration is invalid. The message lists every problem found, one per line,
 * each naming the environment variable at fault, so one fix-and-retry round is enough.
 */
public final class ProcessorConfigException extends ProcessorException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ProcessorConfigException(final List<String> problems) {
    super("invalid stream-processor configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem on its own, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
