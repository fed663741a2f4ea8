package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.gateway.protocol.Channel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code postgres_changes} binding of a {@code phx_join}: which changes ({@code event}
 * {@code INSERT}, {@code UPDATE}, {@code DELETE} or {@code *}) of which tables ({@code schema},
 * {@code table}; no table or {@code *}: every table of the schema the caller may read) pass which
 * {@link RowFilter}, under the id the join's reply gives it. The client's config is kept verbatim,
 * to be echoed in the reply. Immutable.
 *
 * @param config the binding as the client sent it
 * @param event {@code INSERT}, {@code UPDATE}, {@code DELETE} or {@code *}
 * @param tables the tables it names that the caller may read
 * @param filter the row filter
 * @param id the id in the reply and in the {@code ids} of the changes it matches
 */
public record PgBinding(ObjectNode config, String event, List<SupabaseTable> tables, RowFilter filter,
    int id) {

  /** The key of the binding config that carries a Tidewire position (see docs/SUPABASE.md). */
  public static final String POSITION_KEY = "tidewire_position";

  private static final Set<String> EVENTS = Set.of("*", "INSERT", "UPDATE", "DELETE");

  public PgBinding {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(event, "event");
    tables = List.copyOf(tables);
    Objects.requireNonNull(filter, "filter");
  }

  /**
   * Reads one binding.
   *
   * @param node the binding as the client sent it
   * @param catalogue the tables bindings may name
   * @param user whether the channel speaks for a user (else only public tables may be named)
   * @param id its id
   * @throws IllegalArgumentException with Supabase's message if it is not a binding this caller may have
   */
  public static PgBinding parse(final JsonNode node, final List<SupabaseTable> catalogue, final boolean user,
      final int id) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("InvalidJoinPayload: a postgres_changes binding must be an object");
    }
    final ObjectNode config = (ObjectNode) node;
    final String event = text(config, "event").orElseThrow(() ->
        new IllegalArgumentException("InvalidJoinPayload: a postgres_changes binding needs an event"));
    if (!EVENTS.contains(event.toUpperCase(Locale.ROOT))) {
      throw new IllegalArgumentException("InvalidJoinPayload: event must be INSERT, UPDATE, DELETE or *");
    }
    final String schema = text(config, "schema").orElseThrow(() ->
        new IllegalArgumentException("InvalidJoinPayload: a postgres_changes binding needs a schema"));
    final Optional<String> table = text(config, "table").filter(t -> !t.equals("*"));
    final Optional<String> filterText = text(config, "filter").filter(f -> !f.isBlank());
    final RowFilter filter;
    try {
      filter = filterText.map(RowFilter::parse).orElse(RowFilter.none());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Error parsing `filter` params: " + e.getMessage());
    }
    final List<SupabaseTable> tables = new ArrayList<>();
    for (final SupabaseTable t : catalogue) {
      if ((schema.equals("*") || t.schema().equals(schema)) && (table.isEmpty() || t.table().equals(table.get()))
          && (user || t.source() == Channel.Kind.PUBLIC)) {
        tables.add(t);
      }
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("Unable to subscribe to changes with given parameters. Please check "
          + "Realtime is enabled for the given connect parameters: [event: " + event + ", schema: " + schema
          + ", table: " + table.orElse("*") + ", filters: " + filterText.map(f -> "[" + f + "]").orElse("[]") + "]");
    }
    return new PgBinding(config, event.toUpperCase(Locale.ROOT), tables, filter, id);
  }

  /** The streams this binding needs. */
  public Set<Channel.Kind> sources() {
    final Set<Channel.Kind> kinds = EnumSet.noneOf(Channel.Kind.class);
    tables.forEach(t -> kinds.add(t.source()));
    return kinds;
  }

  /** Whether a change of {@code type} to {@code row} of {@code schema.table} from {@code source} is for this binding. */
  public boolean matches(final Channel.Kind source, final String schema, final String table, final String type,
      final JsonNode row) {
    if (!event.equals("*") && !event.equals(type)) {
      return false;
    }
    boolean named = false;
    for (final SupabaseTable t : tables) {
      if (t.source() == source && t.schema().equals(schema) && t.table().equals(table)) {
        named = true;
        break;
      }
    }
    return named && filter.matches(row);
  }

  /** The Tidewire position the client put into the binding, if any (text, possibly empty). */
  public Optional<String> position() {
    final JsonNode node = config.get(POSITION_KEY);
    return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
  }

  /** Whether the client asked for positions (put the key into the binding, even as null). */
  public boolean wantsPositions() {
    return config.has(POSITION_KEY);
  }

  private static Optional<String> text(final ObjectNode config, final String field) {
    final JsonNode node = config.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException("InvalidJoinPayload: " + field + " must be a string");
    }
    return Optional.of(node.textValue());
  }
}
