package io.tidewire.processor.internals;

import java.util.List;

/**
 * One role of a table: turns a decoded change into what that role forwards (events, or inputs of
 * a stateful feature). Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface ChangeMapper {

  /**
   * Maps one change.
   *
   * @return what to forward, in order; often nothing
   * @throws DecodeException when the row lacks the columns this role needs
   */
  List<? extends Routed> map(ChangeEnvelope change);
}
