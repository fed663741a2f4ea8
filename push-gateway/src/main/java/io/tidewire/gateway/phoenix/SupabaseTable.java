package io.tidewire.gateway.phoenix;

import io.tidewire.gateway.protocol.Channel;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A table that {@code postgres_changes} bindings may name, and the stream its changes come from:
 * {@link Channel.Kind#USER} (a row owned by the caller: {@code row.<table>} events of the user
 * stream) or {@link Channel.Kind#PUBLIC} (a public row: {@code realtime.public-changes}). One entry of
 * {@code TIDEWIRE_GATEWAY_SUPABASE_TABLES}, written {@code schema.table:user|public}.
 *
 * @param schema e.g. {@code public}
 * @param table the bare table name, e.g. {@code generation_jobs}
 * @param source the stream
 */
public record SupabaseTable(String schema, String table, Channel.Kind source) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public SupabaseTable {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(source, "source");
    if (source != Channel.Kind.USER && source != Channel.Kind.PUBLIC) {
      throw new IllegalArgumentException("a table's changes come from the user or the public stream");
    }
  }

  /**
   * Parses {@code schema.table:user|public}.
   *
   * @throws IllegalArgumentException if malformed
   */
  public static SupabaseTable parse(final String spec) {
    final String[] parts = spec.strip().split(":", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected schema.table:user|public, got '" + spec + "'");
    }
    final String[] name = parts[0].split("\\.", -1);
    if (name.length != 2 || !NAME.matcher(name[0]).matches() || !NAME.matcher(name[1]).matches()) {
      throw new IllegalArgumentException("expected a schema-qualified table name, got '" + parts[0] + "'");
    }
    final Channel.Kind source = switch (parts[1].toLowerCase(Locale.ROOT)) {
      case "user" -> Channel.Kind.USER;
      case "public" -> Channel.Kind.PUBLIC;
      default -> throw new IllegalArgumentException("expected user or public after ':', got '" + parts[1] + "'");
    };
    return new SupabaseTable(name[0], name[1], source);
  }

  @Override
  public String toString() {
    return schema + "." + table + ":" + (source == Channel.Kind.USER ? "user" : "public");
  }
}
