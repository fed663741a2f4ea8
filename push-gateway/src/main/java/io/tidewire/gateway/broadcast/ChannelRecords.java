package io.tidewire.gateway.broadcast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.gateway.presence.Presence;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The records of {@code realtime.broadcast} and {@code realtime.presence} (docs/CONSUMERS.md):
 * UTF-8 JSON values, String keys.
 *
 * <ul>
 *   <li>broadcast: key = channel; value
 *       {@code {"id","channel","event","from","gateway","session","payload":{…}}}
 *   <li>presence: key {@code p|<channel>|<gateway>|<ref>}, value
 *       {@code {"channel","user","ref","gateway","meta":{…}}} (plus {@code "key"} when the presence's
 *       key is not its user id: a Supabase client's {@code config.presence.key}), a tombstone when
 *       it leaves
 *   <li>lease: key {@code g|<gateway>}, value {@code {"gateway","leaseMs"}} (renewed every few
 *       seconds; the record's timestamp is when), a tombstone when the gateway stops cleanly
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class ChannelRecords {

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String PRESENCE_PREFIX = "p|";
  private static final String LEASE_PREFIX = "g|";

  /** A presence-topic key, decoded. */
  public sealed interface PresenceKey {}

  /**
   * The key of one presence.
   *
   * @param channel its channel
   * @param gateway its gateway
   * @param ref its ref
   */
  public record PresenceOf(String channel, String gateway, String ref) implements PresenceKey {}

  /**
   * The key of a gateway's lease.
   *
   * @param gateway the gateway
   */
  public record LeaseOf(String gateway) implements PresenceKey {}

  private ChannelRecords() {}

  /** The broadcast record's value. */
  public static byte[] broadcast(final BroadcastMessage message) {
    final ObjectNode node = JSON.createObjectNode();
    node.put("id", message.id());
    node.put("channel", message.channel());
    node.put("event", message.event());
    node.put("from", message.from());
    node.put("gateway", message.sender().gateway());
    node.put("session", message.sender().session());
    node.set("payload", tree(message.payload()));
    return bytes(node);
  }

  /** A broadcast record's value, decoded; empty if it is not one. */
  public static Optional<BroadcastMessage> broadcast(final byte[] value) {
    try {
      final JsonNode node = JSON.readTree(value);
      final JsonNode payload = node.get("payload");
      if (payload == null || !payload.isObject()) {
        return Optional.empty();
      }
      return Optional.of(new BroadcastMessage(text(node, "id"), text(node, "channel"), text(node, "event"),
          text(node, "from"), JSON.writeValueAsString(payload),
          new BroadcastMessage.Sender(text(node, "gateway"), node.path("session").asLong())));
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The presence record's key. */
  public static String presenceKey(final Presence presence) {
    return PRESENCE_PREFIX + presence.channel() + "|" + presence.gateway() + "|" + presence.ref();
  }

  /** The lease record's key. */
  public static String leaseKey(final String gateway) {
    return LEASE_PREFIX + gateway;
  }

  /** A presence-topic key, decoded; empty if it is not one. */
  public static Optional<PresenceKey> presenceKey(final String key) {
    if (key == null) {
      return Optional.empty();
    }
    if (key.startsWith(LEASE_PREFIX) && key.length() > LEASE_PREFIX.length()) {
      return Optional.of(new LeaseOf(key.substring(LEASE_PREFIX.length())));
    }
    if (key.startsWith(PRESENCE_PREFIX)) {
      final String[] parts = key.substring(PRESENCE_PREFIX.length()).split("\\|", -1);
      if (parts.length == 3 && !parts[0].isEmpty() && !parts[1].isEmpty() && !parts[2].isEmpty()) {
        return Optional.of(new PresenceOf(parts[0], parts[1], parts[2]));
      }
    }
    return Optional.empty();
  }

  /** The presence record's value. */
  public static byte[] presence(final Presence presence) {
    final ObjectNode node = JSON.createObjectNode();
    node.put("channel", presence.channel());
    node.put("user", presence.userId());
    node.put("ref", presence.ref());
    node.put("gateway", presence.gateway());
    node.set("meta", tree(presence.meta()));
    if (!presence.key().equals(presence.userId())) {
      node.put("key", presence.key());
    }
    return bytes(node);
  }

  /** A presence record's value, decoded; empty if it is not one. */
  public static Optional<Presence> presence(final byte[] value) {
    try {
      final JsonNode node = JSON.readTree(value);
      final JsonNode meta = node.get("meta");
      if (meta == null || !meta.isObject()) {
        return Optional.empty();
      }
      final String user = text(node, "user");
      return Optional.of(new Presence(text(node, "channel"), user, text(node, "ref"),
          JSON.writeValueAsString(meta), text(node, "gateway"), node.has("key") ? text(node, "key") : user));
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The lease record's value. */
  public static byte[] lease(final String gateway, final long leaseMillis) {
    final ObjectNode node = JSON.createObjectNode();
    node.put("gateway", gateway);
    node.put("leaseMs", leaseMillis);
    return bytes(node);
  }

  private static JsonNode tree(final String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static byte[] bytes(final JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String text(final JsonNode node, final String field) {
    final JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return value.textValue();
  }
}
