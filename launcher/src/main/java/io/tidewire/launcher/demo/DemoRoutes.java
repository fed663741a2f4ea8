package io.tidewire.launcher.demo;

import io.tidewire.gateway.HttpRoute;
import io.tidewire.launcher.DevTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The demo page's endpoints: {@code GET /demo/users} lists the demo users and
 * {@code POST /demo/token?user=ID} mints a token for one of them. They exist only in demo mode:
 * only the demo adds them to the gateway, and they mint tokens for the demo users alone.
 */
public final class DemoRoutes {

  /** Lifetime of the tokens the page gets; the client refreshes in-band before expiry. */
  static final Duration TOKEN_TTL = Duration.ofMinutes(15);

  private DemoRoutes() {}

  public static List<HttpRoute> of(final DevTokens tokens) {
    final String users = DemoUser.ALL.stream()
        .map(u -> "{\"id\":\"" + u.id() + "\",\"name\":\"" + u.name() + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
    return List.of(
        new HttpRoute("GET", "/demo/users", query -> HttpRoute.Reply.json(users)),
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
        }));
  }
}
