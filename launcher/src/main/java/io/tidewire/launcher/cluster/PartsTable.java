package io.tidewire.launcher.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;

/** The parts table as text (for people) and as JSON (for scripts and tests). Stateless. */
public final class PartsTable {

  /** Order of the ports in a row. */
  static final List<String> PORT_ORDER = List.of("ws", "kafka", "controller", "postgres", "ops");

  private static final ObjectMapper JSON = new ObjectMapper();

  private PartsTable() {}

  /** Aligned columns NAME, ROLE, PID, PORTS; a part that is down shows {@code -} as pid. */
  public static String text(final List<PartInfo> parts) {
    final StringBuilder b = new StringBuilder();
    final String format = "  %-12s %-10s %-8s %s%n";
    b.append(String.format(format, "NAME", "ROLE", "PID", "PORTS"));
    for (final PartInfo p : parts) {
      b.append(String.format(format, p.name(), p.role(),
          p.pid().isPresent() ? Long.toString(p.pid().getAsLong()) : "-",
          p.ports().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(" "))));
    }
    return b.toString();
  }

  /** {@code [{"name":…,"role":…,"pid":…,"ports":{…}}]}; {@code pid} is null for a part that is down. */
  public static String json(final List<PartInfo> parts) {
    final ArrayNode array = JSON.createArrayNode();
    for (final PartInfo p : parts) {
      final ObjectNode o = array.addObject();
      o.put("name", p.name());
      o.put("role", p.role());
      if (p.pid().isPresent()) {
        o.put("pid", p.pid().getAsLong());
      } else {
        o.putNull("pid");
      }
      final ObjectNode ports = o.putObject("ports");
      p.ports().forEach(ports::put);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@link #json(List)} to {@code file} (replacing it atomically where possible). */
  public static void write(final Path file, final List<PartInfo> parts) {
    try {
      final Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      final Path tmp = Files.createTempFile(dir, ".parts", ".json");
      Files.writeString(tmp, json(parts));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
