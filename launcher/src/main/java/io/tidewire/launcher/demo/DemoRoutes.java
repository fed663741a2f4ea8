package io.tidewire.launcher.demo;

import io.tidewire.gateway.HttpRoute;
import io.tidewire.launcher.DevTokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The demo page's endpoints: {@code GET /demo/users} lists the demo users,
 * {@code POST /demo/token?user=ID} mints a token for one of them, and
 * {@code POST /demo/comment?user=ID&contentType=video|image&contentId=UUID&body=TEXT} writes a
 * comment of one of them (the page's comment box; it travels the pipeline like any other row). They exist only in demo mode:
 * only the demo adds them to the gateway, and they mint tokens for the demo users alone.
 */
public final class DemoRoutes {

  /** Lifetime of the tokens the page gets; the client refreshes in-band before expiry. */
  static final Duration TOKEN_TTL = Duration.ofMinutes(15);

  private DemoRoutes() {}

  private static String users(final DataSource db) {
    final Map<UUID, Long> credits = new HashMap<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, credits FROM users WHERE id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("uuid", DemoUser.ALL.stream().map(DemoUser::id).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          credits.put(rs.getObject(1, UUID.class), rs.getLong(2));
        }
      }
    } catch (SQLException e) {
      // the list still works without balances
    }
    return DemoUser.ALL.stream()
        .map(u -> "{\"id\":\"" + u.id() + "\",\"name\":\"" + u.name() + "\""
            + (credits.containsKey(u.id()) ? ",\"credits\":" + credits.get(u.id()) : "") + "}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  /**
   * The routes.
   *
   * @param tokens signs the tokens
   * @param db the demo database, for the users' current balances (demo only: a real app shows
   *     its own initial state; Tidewire itself never queries the database per client)
   */
  public static List<HttpRoute> of(final DevTokens tokens, final DataSource db) {
    return List.of(
        new HttpRoute("GET", "/demo/users", query -> HttpRoute.Reply.json(users(db))),
        new HttpRoute("POST", "/demo/token", query -> {
          final Optional<DemoUser> user = DemoUser.ALL.stream()
              .filter(u -> u.id().toString().equals(query.get("user"))).findFirst();
          if (user.isEmpty()) {
            return HttpRoute.Reply.error(404, "not a demo user: " + query.get("user"));
          }
          final Instant expires = Instant.now().plus(TOKEN_TTL);
          return HttpRoute.Reply.json("{\"token\":\""
              + tokens.mint(user.get().id().toString(), TOKEN_TTL) + "\",\"userId\":\""
              + user.get().id() + "\",\"expiresAt\":" + expires.toEpochMilli() + "}");
        }),
        new HttpRoute("POST", "/demo/comment", query -> comment(db, query)));
  }

  private static HttpRoute.Reply comment(final DataSource db, final Map<String, String> query) {
    final Optional<DemoUser> user = DemoUser.ALL.stream()
        .filter(u -> u.id().toString().equals(query.get("user"))).findFirst();
    final String type = query.getOrDefault("contentType", "");
    final String body = query.getOrDefault("body", "").strip();
    final UUID content;
    try {
      content = UUID.fromString(query.getOrDefault("contentId", ""));
    } catch (IllegalArgumentException e) {
      return HttpRoute.Reply.error(400, "contentId must be a UUID");
    }
    if (user.isEmpty()) {
      return HttpRoute.Reply.error(404, "not a demo user: " + query.get("user"));
    }
    if (!type.equals("video") && !type.equals("image")) {
      return HttpRoute.Reply.error(400, "contentType must be video or image");
    }
    if (body.isEmpty() || body.length() > 200) {
      return HttpRoute.Reply.error(400, "body must be 1 to 200 characters");
    }
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO comments (user_id, content_type, content_id, body) VALUES (?, ?, ?, ?)")) {
      ps.setObject(1, user.get().id());
      ps.setString(2, type);
      ps.setObject(3, content);
      ps.setString(4, body);
      ps.executeUpdate();
      return HttpRoute.Reply.json("{\"ok\":true}");
    } catch (SQLException e) {
      return HttpRoute.Reply.error(500, "cannot write the comment: " + e.getMessage());
    }
  }
}
