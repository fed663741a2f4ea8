package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewire.gateway.protocol.Channel;
import org.junit.jupiter.api.Test;

class PgBindingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static PgBinding parse(final String json, final boolean user) throws Exception {
    return PgBinding.parse(JSON.readTree(json), PhoenixConfig.DEFAULTS.tables(), user, 1);
  }

  @Test
  void anOwnedTableComesFromTheUserStream() throws Exception {
    final PgBinding binding = parse("{\"event\":\"UPDATE\",\"schema\":\"public\",\"table\":\"generation_jobs\","
        + "\"filter\":\"id=eq.7\"}", true);
    assertThat(binding.sources()).containsExactly(Channel.Kind.USER);
    final JsonNode row = JSON.readTree("{\"id\":7}");
    assertThat(binding.matches(Channel.Kind.USER, "public", "generation_jobs", "UPDATE", row)).isTrue();
    assertThat(binding.matches(Channel.Kind.USER, "public", "generation_jobs", "INSERT", row)).isFalse();
    assertThat(binding.matches(Channel.Kind.PUBLIC, "public", "generation_jobs", "UPDATE", row)).isFalse();
    assertThat(binding.matches(Channel.Kind.USER, "public", "training_jobs", "UPDATE", row)).isFalse();
  }

  @Test
  void aSchemaWideBindingNamesWhatTheCallerMayRead() throws Exception {
    assertThat(parse("{\"event\":\"*\",\"schema\":\"public\"}", true).sources())
        .containsExactlyInAnyOrder(Channel.Kind.USER, Channel.Kind.PUBLIC);
    assertThat(parse("{\"event\":\"*\",\"schema\":\"public\"}", false).sources())
        .containsExactly(Channel.Kind.PUBLIC);
  }

  @Test
  void refusesTablesOutsideTheCatalogueAndOwnedTablesToAnonymousCallers() {
    assertThatThrownBy(() -> parse("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"secrets\"}", true))
        .hasMessageStartingWith("Unable to subscribe to changes with given parameters");
    assertThatThrownBy(() -> parse("{\"event\":\"*\",\"schema\":\"public\",\"table\":\"users\"}", false))
        .hasMessageStartingWith("Unable to subscribe to changes with given parameters");
    assertThatThrownBy(() -> parse("{\"event\":\"TRUNCATE\",\"schema\":\"public\"}", true))
        .hasMessageContaining("event must be");
    assertThatThrownBy(() -> parse("{\"event\":\"*\",\"schema\":\"public\",\"filter\":\"id=like.1\"}", true))
        .hasMessageStartingWith("Error parsing `filter` params");
  }

  @Test
  void carriesTheTidewirePositionVerbatim() throws Exception {
    final PgBinding none = parse("{\"event\":\"*\",\"schema\":\"public\",\"tidewire_position\":null}", true);
    assertThat(none.wantsPositions()).isTrue();
    assertThat(none.position()).isEmpty();
    final PgBinding some = parse("{\"event\":\"*\",\"schema\":\"public\",\"tidewire_position\":\"tw1~a~\"}", true);
    assertThat(some.position()).contains("tw1~a~");
    assertThat(parse("{\"event\":\"*\",\"schema\":\"public\"}", true).wantsPositions()).isFalse();
  }
}
