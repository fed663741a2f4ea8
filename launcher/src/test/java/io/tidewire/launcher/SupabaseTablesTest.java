package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.GatewayConfig;
import io.tidewire.processor.ProcessorConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The gateway's {@code TIDEWIRE_GATEWAY_SUPABASE_TABLES} restates which tables the processor serves
 * as rows (the gateway does not depend on the processor); this fails when their defaults drift.
 */
class SupabaseTablesTest {

  @Test
  void theGatewaysDefaultSupabaseTablesAreTheProcessorsDefaultRowTables() {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "k:9092");
    env.put("TIDEWIRE_JWT_SECRET", "0123456789abcdef0123456789abcdef");
    final ProcessorConfig processor = ProcessorConfig.fromEnv(env, TidewireSettings.ALL);
    final Set<String> expected = new TreeSet<>();
    processor.ownedTables().forEach(t -> expected.add(t.table().schema() + "." + t.table().table() + ":user"));
    processor.balanceTable().ifPresent(t -> expected.add(t.table().schema() + "." + t.table().table() + ":user"));
    processor.transactionTable().ifPresent(t ->
        expected.add(t.table().schema() + "." + t.table().table() + ":user"));
    processor.feedTables().forEach(t -> expected.add(t.table().schema() + "." + t.table().table() + ":public"));
    processor.reactionTables().forEach(t ->
        expected.add(t.table().schema() + "." + t.table().table() + ":public"));

    final Set<String> gateway = new TreeSet<>();
    GatewayConfig.fromEnv(env, TidewireSettings.ALL).phoenix().tables().forEach(t -> gateway.add(t.toString()));
    assertThat(gateway).isEqualTo(expected);
  }
}
