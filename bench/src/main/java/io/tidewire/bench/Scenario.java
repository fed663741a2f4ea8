package io.tidewire.bench;

import java.util.Set;

/** One benchmark scenario. Implementations are stateless between runs. */
public interface Scenario {

  /** Short name, used on the command line and for the JSON file. */
  String name();

  /** One line for {@code --help}. */
  String description();

  /** The Tidewire parts that must run (the others are stopped). */
  Set<BenchStack.Part> parts();

  /** Runs the scenario against {@code stack}. */
  ScenarioResult run(BenchStack stack, Sizes sizes) throws Exception;
}
