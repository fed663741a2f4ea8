package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Channels scoped to a content item ({@code item:<contentType>:<id>}, rule {@code item:*=visible},
 * the default) through the real pipeline: PostgreSQL changes of {@code videos}, the capture, the
 * processor's {@code realtime.content-access}, the gateway's view of it. Joins are decided at the
 * join: the tests wait for a change to reach the view by repeating a join until its answer turns.
 */
class ItemChannelsIT {

  private static final SharedStack STACK = SharedStack.get();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<WsClient> clients = new ArrayList<>();
  private final AtomicInteger refs = new AtomicInteger();

  @AfterEach
  void closeClients() {
    clients.forEach(WsClient::close);
  }

  private WsClient connect(final UUID user) {
    final WsClient client = STACK.connect(user);
    clients.add(client);
    return client;
  }

  /** Asks to join {@code channel}: {@code joined}, or the error's code. */
  private String join(final WsClient client, final String channel) {
    final String ref = "j" + refs.incrementAndGet();
    client.send("{\"ref\":\"" + ref + "\",\"op\":\"join\",\"channel\":\"" + channel + "\"}");
    final JsonNode reply = client.reply(ref);
    if ("joined".equals(reply.path("op").textValue())) {
      // leave again, so that the next attempt is a new join
      client.send("{\"ref\":\"l" + ref + "\",\"op\":\"leave\",\"channel\":\"" + channel + "\"}");
      client.reply("l" + ref);
      return "joined";
    }
    return reply.path("code").asText(reply.toString());
  }

  /** Repeats a join of {@code channel} until its answer is {@code answer} (the view caught up). */
  private void awaitJoin(final WsClient client, final String channel, final String answer) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> join(client, channel), answer::equals);
  }

  private static String item(final UUID video) {
    return "item:video:" + video;
  }

  @Test
  void aPublicItemIsOpenToEveryUserAPrivateOneToItsOwnerOnly() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID bob = STACK.newUser();
    final UUID shown = UUID.randomUUID();
    final UUID draft = UUID.randomUUID();
    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, true, 'sunset')", shown, alice);
    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, false, 'draft')", draft, alice);
    final WsClient aliceClient = connect(alice);
    final WsClient bobClient = connect(bob);

    awaitJoin(bobClient, item(shown), "joined");
    awaitJoin(aliceClient, item(draft), "joined");

    assertThat(join(bobClient, item(draft))).isEqualTo("forbidden");
    assertThat(join(aliceClient, item(shown))).isEqualTo("joined");
  }

  @Test
  void anItemMadePrivateIsRefusedToOtherUsersFromThenOn() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID bob = STACK.newUser();
    final UUID video = UUID.randomUUID();
    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, true, 'sunset')", video, alice);
    final WsClient aliceClient = connect(alice);
    final WsClient bobClient = connect(bob);
    awaitJoin(bobClient, item(video), "joined");

    STACK.sql("UPDATE videos SET is_public = false WHERE id = ?", video);

    awaitJoin(bobClient, item(video), "forbidden");
    assertThat(join(aliceClient, item(video))).isEqualTo("joined");
  }

  @Test
  void aDeletedItemIsRefusedEvenToItsOwner() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID video = UUID.randomUUID();
    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, false, 'draft')", video, alice);
    final WsClient aliceClient = connect(alice);
    awaitJoin(aliceClient, item(video), "joined");

    STACK.sql("DELETE FROM videos WHERE id = ?", video);

    awaitJoin(aliceClient, item(video), "forbidden");
  }

  @Test
  void anItemIsJoinableAtOnceWhenItsFeedEventArrives() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID video = UUID.randomUUID();
    final WsClient bobClient = connect(STACK.newUser());
    bobClient.subscribe("feed", "feed");

    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, true, 'new')", video, alice);
    bobClient.awaitFrame(f -> "event".equals(f.path("op").asText())
        && "feed.content_published".equals(f.path("type").asText())
        && video.toString().equals(f.path("data").path("contentId").asText()));

    // the access record was committed with the feed event; the gateway's view may not have read it
    // yet, so the join waits for the view to catch up instead of refusing: one attempt
    assertThat(join(bobClient, item(video))).isEqualTo("joined");
  }

  @Test
  void anUnknownItemIsRefused() throws Exception {
    final WsClient client = connect(STACK.newUser());

    assertThat(join(client, item(UUID.randomUUID()))).isEqualTo("forbidden");
    assertThat(join(client, "item:no-such-key")).isEqualTo("forbidden");
  }
}
