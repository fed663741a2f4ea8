package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.infra.Directories;
import io.tidewire.launcher.DevTokens;
import io.tidewire.launcher.cluster.ClusterSpec;
import io.tidewire.launcher.cluster.LocalCluster;
import io.tidewire.launcher.cluster.PartInfo;
import io.tidewire.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local cluster of {@code tidewire demo --brokers 3 --processors 2 --gateways 2}: every part a
 * process of its own, listed with its pid and ports, events reaching clients on every gateway, and
 * still flowing after a SIGKILL of a broker and of a gateway. (The thorough fault tests, with the
 * ledger, are elsewhere; this one checks the cluster a user starts.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterDemoIT {

  private static final Duration EVENT_WAIT = Duration.ofMinutes(2);
  private static LocalCluster cluster;
  private static DevTokens tokens;

  @BeforeAll
  static void startCluster() throws Exception {
    final Path work = Path.of("target", "cluster-demo-it").toAbsolutePath();
    Directories.deleteRecursively(work);
    cluster = LocalCluster.start(ClusterSpec.builder().brokers(3).processors(2).gateways(2)
        .workDir(work).demoPage(true).build());
    tokens = new DevTokens(cluster.jwtSecret());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void partsTableAndJsonListEveryPartWithLivePidsAndPorts() throws Exception {
    final List<PartInfo> parts = cluster.parts();
    assertThat(parts).extracting(PartInfo::name).containsExactly("postgres", "broker-1",
        "broker-2", "broker-3", "capture", "processor-1", "processor-2", "gateway-1", "gateway-2");
    assertThat(parts).allSatisfy(p -> assertThat(ProcessHandle.of(p.pid().orElseThrow()))
        .hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue()));
    assertThat(parts).extracting(p -> p.pid().orElseThrow()).doesNotHaveDuplicates();
    assertThat(parts).filteredOn(p -> p.role().equals("broker"))
        .allSatisfy(p -> assertThat(p.ports()).containsKeys("kafka", "controller", "ops"));
    assertThat(parts).filteredOn(p -> p.role().equals("gateway"))
        .allSatisfy(p -> assertThat(p.ports()).containsKeys("ws", "ops"));
    assertThat(cluster.bootstrapServers().split(",")).hasSize(3);

    final Path file = Path.of("target", "cluster-demo-it", "parts.json");
    cluster.writePartsFile(file);
    final JsonNode json = WsClient.JSON.readTree(Files.readString(file));
    assertThat(json).hasSize(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      final PartInfo p = parts.get(i);
      final JsonNode row = json.get(i);
      assertThat(row.path("name").asText()).isEqualTo(p.name());
      assertThat(row.path("role").asText()).isEqualTo(p.role());
      assertThat(row.path("pid").asLong()).isEqualTo(p.pid().orElseThrow());
      p.ports().forEach((k, v) -> assertThat(row.path("ports").path(k).asInt()).isEqualTo(v));
    }
  }

  @Test
  @Order(2)
  void eventsReachEveryGatewayAndKeepFlowingAfterKillingABrokerAndAGateway() throws Exception {
    final UUID author = newUser();
    final UUID reader = newUser();
    final List<WsClient> clients = new ArrayList<>();
    try {
      for (int g = 1; g <= 2; g++) {
        final WsClient c = WsClient.connect(cluster.gatewayUri(g),
            tokens.mint(reader.toString(), Duration.ofMinutes(30)));
        clients.add(c);
        assertThat(c.subscribe("1", "feed").path("op").asText()).isEqualTo("subscribed");
      }
      final UUID before = publishVideo(author);
      for (final WsClient c : clients) {
        awaitContent(c, before);
      }

      final int leader = cluster.brokerLeadingMostPartitions();
      cluster.broker(leader).crash();
      cluster.gateway(1).crash();
      assertThat(cluster.broker(leader).pid()).isEmpty();
      assertThat(cluster.gateway(1).pid()).isEmpty();

      final UUID after = publishVideo(author);
      awaitContent(clients.get(1), after);
      assertThat(clients.get(1).events()).filteredOn(e -> contentId(e).equals(after.toString()))
          .hasSize(1);
    } finally {
      clients.forEach(WsClient::close);
    }
  }

  private static void awaitContent(final WsClient client, final UUID content) {
    await().atMost(EVENT_WAIT).until(() -> client.events().stream()
        .anyMatch(e -> contentId(e).equals(content.toString())));
  }

  private static String contentId(final JsonNode frame) {
    return frame.path("data").path("contentId").asText();
  }

  private static UUID newUser() throws SQLException {
    final UUID id = UUID.randomUUID();
    sql("INSERT INTO users (id, credits) VALUES (?, 100)", id);
    return id;
  }

  private static UUID publishVideo(final UUID author) throws SQLException {
    final UUID video = UUID.randomUUID();
    sql("INSERT INTO videos (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
        + "'https://cdn.example/1.mp4', 'cluster')", video, author);
    return video;
  }

  private static void sql(final String sql, final Object... args) throws SQLException {
    try (Connection c = cluster.postgres().dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }
}
