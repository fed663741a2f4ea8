package io.tidewire.gateway.session;

/** UTF-8 sizes without encoding. Stateless and thread-safe. */
public final class Utf8 {

  private Utf8() {}

  /** The number of bytes {@code text} takes in UTF-8 (an unpaired surrogate counts as 3, an upper bound). */
  public static int length(final CharSequence text) {
    int bytes = 0;
    final int n = text.length();
    for (int i = 0; i < n; i++) {
      final char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Whether {@code text} takes more than {@code limit} bytes in UTF-8, stopping early when it does. */
  public static boolean exceeds(final CharSequence text, final int limit) {
    if (text.length() > limit) {
      return true;
    }
    if ((long) text.length() * 3 <= limit) {
      return false;
    }
    return length(text) > limit;
  }
}
