package io.tidewire.launcher.demo;

import java.util.List;
import java.util.UUID;

/**
 * The demo's users. Fixed ids, so that tokens printed by one run work in the next.
 *
 * @param id user id (the token's {@code sub})
 * @param name display name
 */
public record DemoUser(UUID id, String name) {

  /** Alice, Bob and Carol. */
  public static final List<DemoUser> ALL = List.of(
      new DemoUser(UUID.fromString("a11ce000-0000-4000-8000-000000000001"), "alice"),
      new DemoUser(UUID.fromString("b0b00000-0000-4000-8000-000000000002"), "bob"),
      new DemoUser(UUID.fromString("ca201000-0000-4000-8000-000000000003"), "carol"));
}
