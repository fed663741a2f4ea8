package io.tidewire.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.infra.EmbeddedKafka.QuorumNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidewire broker} (hidden): one node of the local cluster's Kafka, a KRaft combined
 * broker and controller built on {@link EmbeddedKafka#startNode}, started by
 * {@link io.tidewire.launcher.cluster.LocalCluster} as a child JVM. Ready (on {@code --ops-port})
 * once it answers metadata requests; keeps its data directory across starts.
 */
@Command(name = "broker", hidden = true, mixinStandardHelpOptions = true,
    description = "One Kafka node (KRaft broker+controller) of the local cluster (tidewire demo --brokers N).")
final class BrokerCommand extends PartCommand {

  @Option(names = "--node-id", required = true, description = "This node's id (one of --voters).")
  private int nodeId;

  @Option(names = "--voters", required = true, split = ",", paramLabel = "ID:PORT:CONTROLLER_PORT",
      description = "Every node of the quorum on 127.0.0.1, e.g. 1:19092:19192,2:19093:19193.")
  private List<String> voters;

  @Option(names = "--cluster-id", required = true, description = "The cluster's id (a Kafka Uuid).")
  private String clusterId;

  @Option(names = "--data-dir", required = true, description = "This node's data directory (kept).")
  private Path dataDir;

  @Option(names = "--broker-config", split = ",", paramLabel = "KEY=VALUE",
      description = "Broker settings over the defaults.")
  private Map<String, String> brokerConfig = Map.of();

  @Override
  Started start(final Map<String, String> env, final PrometheusMeterRegistry registry) {
    final EmbeddedKafka kafka = EmbeddedKafka.startNode(nodeId, parseVoters(voters), clusterId,
        dataDir, brokerConfig);
    return new Started(kafka, () -> true, () -> true, false);
  }

  static List<QuorumNode> parseVoters(final List<String> voters) {
    final List<QuorumNode> nodes = new ArrayList<>();
    for (final String v : voters) {
      final String[] f = v.split(":");
      if (f.length != 3) {
        throw new IllegalArgumentException("not ID:PORT:CONTROLLER_PORT: " + v);
      }
      nodes.add(new QuorumNode(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
          Integer.parseInt(f[2])));
    }
    return nodes;
  }

  @Override
  int defaultOpsPort() {
    return 0;
  }
}
