package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypeFilterTest {

  @Test
  void prefixGlobMatchesItsFamilyOnly() {
    final TypeFilter filter = TypeFilter.of(List.of("generation.*")).orElseThrow();

    assertThat(filter.accepts("generation.progress")).isTrue();
    assertThat(filter.accepts("generation.")).isTrue();
    assertThat(filter.accepts("training.progress")).isFalse();
    assertThat(filter.accepts("generation")).isFalse();
    assertThat(filter.accepts("xgeneration.progress")).isFalse();
  }

  @Test
  void anyOfSeveralGlobsSuffices() {
    final TypeFilter filter = TypeFilter.of(List.of("credits.updated", "*.progress")).orElseThrow();

    assertThat(filter.accepts("credits.updated")).isTrue();
    assertThat(filter.accepts("training.progress")).isTrue();
    assertThat(filter.accepts("notification")).isFalse();
  }

  @Test
  void starInTheMiddleAndRepeatedStarsBacktrack() {
    assertThat(TypeFilter.matches("feed.*_*", "feed.content_published")).isTrue();
    assertThat(TypeFilter.matches("a*b*c", "axxbyyc")).isTrue();
    assertThat(TypeFilter.matches("a*b*c", "axxbyy")).isFalse();
    assertThat(TypeFilter.matches("**", "")).isTrue();
    assertThat(TypeFilter.matches("*", "anything.at.all")).isTrue();
    assertThat(TypeFilter.matches("row.*", "row.images")).isTrue();
    assertThat(TypeFilter.matches("exact", "exact")).isTrue();
    assertThat(TypeFilter.matches("exact", "exactly")).isFalse();
  }

  @Test
  void allAcceptsEverything() {
    assertThat(TypeFilter.all().accepts("whatever")).isTrue();
  }

  @Test
  void refusesEmptyTooManyOrStrangePatterns() {
    assertThat(TypeFilter.of(List.of())).isEmpty();
    assertThat(TypeFilter.of(Collections.nCopies(33, "a"))).isEmpty();
    assertThat(TypeFilter.of(List.of("a b"))).isEmpty();
    assertThat(TypeFilter.of(List.of(""))).isEmpty();
    assertThat(TypeFilter.of(List.of("x".repeat(101)))).isEmpty();
    assertThat(TypeFilter.of(List.of("generation.[a-z]"))).isEmpty();
    assertThat(TypeFilter.problem(List.of("ok", "no way"))).isPresent();
  }
}
