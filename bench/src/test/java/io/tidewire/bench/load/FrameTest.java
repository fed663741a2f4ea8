package io.tidewire.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameTest {

  private static final String FRAME = "{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e1\","
      + "\"type\":\"generation.progress\",\"data\":{\"jobId\":\"j-7\",\"progress\":42,\"d\":-3}}";

  private static Frame bytes(final String json) {
    final byte[] padded = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
    return Frame.of(padded, 2, padded.length - 4);
  }

  @Test
  void readsStringAndNumberFieldsByPath() {
    for (final Frame frame : new Frame[] {Frame.of(FRAME), bytes(FRAME)}) {
      assertThat(frame.isOp("event")).isTrue();
      assertThat(frame.text("type")).contains("generation.progress");
      assertThat(frame.text("data", "jobId")).contains("j-7");
      assertThat(frame.number("data", "progress")).hasValue(42);
      assertThat(frame.number("data", "d")).hasValue(-3);
      assertThat(frame.text("absent")).isEmpty();
      assertThat(frame.text("data", "absent")).isEmpty();
      assertThat(frame.number("data", "jobId")).isEmpty();
      assertThat(frame.text("data")).isEmpty();
      assertThat(frame.size()).isEqualTo(FRAME.length());
      assertThat(frame).hasToString(FRAME);
    }
  }

  @Test
  void aFieldOfTheSameNameElsewhereIsNotTheOneAskedFor() {
    final Frame frame = bytes("{\"data\":{\"id\":\"inner\",\"list\":[{\"id\":\"deeper\"}]},"
        + "\"id\":\"outer\",\"after\":{\"note\":\"\\\"id\\\":\\\"fake\\\"\",\"id\":\"row\"}}");
    assertThat(frame.text("id")).contains("outer");
    assertThat(frame.text("data", "id")).contains("inner");
    assertThat(frame.text("after", "id")).contains("row");
  }

  @Test
  void textThatIsNotJsonHasNoFields() {
    assertThat(Frame.of("not json").text("op")).isEmpty();
    assertThat(bytes("{\"op\":").isOp("subscribed")).isFalse();
    assertThat(Frame.of("[1,2]").number("0")).isEmpty();
  }

  @Test
  void sizeCountsUtf8Bytes() {
    final String json = "{\"op\":\"é\"}";
    assertThat(Frame.of(json).size()).isEqualTo(json.length() + 1);
    assertThat(bytes(json).size()).isEqualTo(json.length() + 1);
  }

  @Test
  void subscribeFrameCarriesTheCursorOnlyWhenThereIsOne() {
    assertThat(Frame.of(new Fleet.Subscription("t", "feed", Optional.empty()).frame())
        .text("cursor")).isEmpty();
    final Frame withCursor = Frame.of(new Fleet.Subscription("t", "user",
        Optional.of("v1.abc")).frame());
    assertThat(withCursor.isOp("subscribe")).isTrue();
    assertThat(withCursor.text("channel")).contains("user");
    assertThat(withCursor.text("cursor")).contains("v1.abc");
  }
}
