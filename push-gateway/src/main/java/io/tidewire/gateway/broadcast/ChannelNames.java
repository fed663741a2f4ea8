package io.tidewire.gateway.broadcast;

import java.util.regex.Pattern;

/**
 * The syntax of broadcast/presence channel names and broadcast event names (docs/PROTOCOL.md,
 * "Broadcast and presence"). A channel name never contains {@code |}, {@code *}, <code>{</code> or
 * whitespace, so it can be part of a Kafka key and is never mistaken for a pattern.
 *
 * <p>Constants and pure functions only.
 */
public final class ChannelNames {

  /** Longest channel name. */
  public static final int MAX_CHANNEL_LENGTH = 200;
  /** Longest event name. */
  public static final int MAX_EVENT_LENGTH = 100;

  private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9_.:@/-]{1," + MAX_CHANNEL_LENGTH + "}");
  private static final Pattern EVENT = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_EVENT_LENGTH + "}");

  private ChannelNames() {}

  /** Whether {@code name} is a valid channel name. */
  public static boolean isChannel(final String name) {
    return name != null && CHANNEL.matcher(name).matches();
  }

  /** Whether {@code name} is a valid event name. */
  public static boolean isEvent(final String name) {
    return name != null && EVENT.matcher(name).matches();
  }

  /** What a valid channel name looks like, for error messages. */
  public static String channelSyntax() {
    return "1 to " + MAX_CHANNEL_LENGTH + " characters of A-Z a-z 0-9 _ . : @ / -";
  }

  /** What a valid event name looks like, for error messages. */
  public static String eventSyntax() {
    return "1 to " + MAX_EVENT_LENGTH + " characters of A-Z a-z 0-9 _ . : -";
  }
}
