package io.tidewire.capture;

import java.util.List;

/**
 * The capture's configuration is invalid. The message lists every problem found, one per line,
 * each naming the environment variable to fix.
 */
public final class CaptureConfigException extends CaptureException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * @param problems one human-readable line per invalid setting; not empty
   */
  public CaptureConfigException(final List<String> problems) {
    super("invalid capture configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** The individual problems, in the order they were found. */
  public List<String> problems() {
    return problems;
  }
}
