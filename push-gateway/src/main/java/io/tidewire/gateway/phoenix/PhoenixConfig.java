package io.tidewire.gateway.phoenix;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The Supabase Realtime endpoint's settings ({@code TIDEWIRE_GATEWAY_SUPABASE_*}); immutable.
 *
 * @param tables the tables {@code postgres_changes} may name, and where their changes come from
 * @param maxChannels channels one connection may have joined at a time (Supabase: 100)
 * @param joinsPerSecond joins one connection may make per second on average (bursts of as many)
 * @param maxRecordBytes largest row image sent whole; a larger one goes out without its long values
 *     and with {@code errors: ["Error 413: Payload Too Large"]}, as Supabase does
 */
public record PhoenixConfig(List<SupabaseTable> tables, int maxChannels, int joinsPerSecond,
    int maxRecordBytes) {

  /** The default tables: those the stream processor's default configuration serves as rows. */
  public static final String DEFAULT_TABLES = "public.generation_jobs:user,public.training_jobs:user,public.uploads:user,"
      + "public.users:user,public.credit_transactions:user,public.videos:public,public.images:public,"
      + "public.likes:public,public.comments:public";

  /** The documented defaults. */
  public static final PhoenixConfig DEFAULTS = new PhoenixConfig(
      Arrays.stream(DEFAULT_TABLES.split(",")).map(SupabaseTable::parse).toList(), 100, 10,
      1024 * 1024);

  public PhoenixConfig {
    tables = List.copyOf(Objects.requireNonNull(tables, "tables"));
    if (maxChannels < 1 || joinsPerSecond < 1 || maxRecordBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }
}
