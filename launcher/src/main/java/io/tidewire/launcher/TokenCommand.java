package io.tidewire.launcher;

import io.tidewire.gateway.GatewaySettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tidewire token}: mints a token the gateway accepts, for trying things by hand. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Print an HS256 token for a user, signed with TIDEWIRE_JWT_SECRET "
        + "(or the demo's default secret when it is unset).")
final class TokenCommand implements Callable<Integer> {

  @Option(names = {"-u", "--user"}, required = true, description = "User id (the token's sub).")
  private String user;

  @Option(names = "--ttl", defaultValue = "PT24H",
      description = "Validity as an ISO-8601 duration (default: ${DEFAULT-VALUE}).")
  private Duration ttl;

  @Override
  public Integer call() {
    final String secret = System.getenv().getOrDefault(GatewaySettings.JWT_SECRET.name(),
        DevTokens.DEMO_SECRET);
    System.out.println(new DevTokens(secret).mint(user, ttl));
    return 0;
  }
}
