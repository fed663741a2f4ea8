package io.tidewire.gateway;

import java.util.List;

/** Invalid gateway configuration; the message lists every problem, one per line. */
public final class GatewayConfigException extends GatewayException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public GatewayConfigException(final List<String> problems) {
    super("invalid gateway configuration:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem, naming the variable. */
  public List<String> problems() {
    return problems;
  }
}
