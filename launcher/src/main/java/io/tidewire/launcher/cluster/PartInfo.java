package io.tidewire.launcher.cluster;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One row of the local cluster's parts table: what a human or a test needs to find a part and
 * kill it.
 *
 * @param name {@code broker-1}, {@code capture}, {@code processor-2}, {@code gateway-1},
 *     {@code postgres}
 * @param role {@code broker}, {@code capture}, {@code processor}, {@code gateway}, {@code postgres}
 * @param pid the process id, empty while the part is down
 * @param ports the part's ports by purpose ({@code kafka}, {@code controller}, {@code ops},
 *     {@code ws}, {@code postgres}), in a stable order
 */
public record PartInfo(String name, String role, OptionalLong pid, Map<String, Integer> ports) {
  public PartInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(pid, "pid");
    ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
  }
}
