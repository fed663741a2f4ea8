package example;

import io.tidewire.client.Channel;
import io.tidewire.client.ConnectionState;
import io.tidewire.client.TidewireClient;
import java.net.URI;

/** Builds a client the way the README shows, checks its state, closes it. */
public final class App {

  public static void main(final String[] args) {
    final TidewireClient client = TidewireClient.builder(URI.create("ws://127.0.0.1:9/v1/realtime"))
        .token(() -> "a-token")
        .subscribe(Channel.user())
        .subscribe(Channel.feed().types("feed.*"))
        .onEvent(event -> System.out.println(event.type() + " " + event.data()))
        .onStateChange(state -> System.out.println("state " + state))
        .build();
    if (client.state() != ConnectionState.IDLE) {
      throw new IllegalStateException("a new client should be idle, was " + client.state());
    }
    client.close();
    System.out.println("tidewire client built and closed: " + client.state());
  }
}
