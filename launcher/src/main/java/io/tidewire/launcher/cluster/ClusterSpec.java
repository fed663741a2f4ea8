package io.tidewire.launcher.cluster;

import io.tidewire.infra.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link LocalCluster} runs: how many brokers, processors and gateways, on which ports,
 * where its data and logs go, and extra settings for every part. Immutable; build it with
 * {@link #builder()}.
 *
 * @param brokers Kafka nodes (KRaft broker+controller each, all voters), at least 1
 * @param processors stream processor instances (one consumer group), at least 1
 * @param gateways gateways, at least 1
 * @param gatewayHost interface the gateways bind
 * @param gatewayPort the first gateway's WebSocket port; gateway i listens on
 *     {@code gatewayPort + i - 1}; 0 for free ports
 * @param kafkaPort the first broker's client port; broker i listens on {@code kafkaPort + i - 1};
 *     0 for free ports
 * @param pgPort port of the PostgreSQL the cluster starts (0: a free port); unused with
 *     {@link #postgres()}
 * @param postgres a running PostgreSQL to use (the cluster does not stop it), or empty to start one
 * @param workDir data and logs, one directory per part ({@code broker-1/}, {@code capture/}, ...)
 * @param env {@code TIDEWIRE_*} settings for every part, over the cluster's own
 * @param demoPage whether the gateways serve the demo page and its token endpoints
 */
public record ClusterSpec(int brokers, int processors, int gateways, String gatewayHost,
    int gatewayPort, int kafkaPort, int pgPort, Optional<EmbeddedPostgres> postgres, Path workDir,
    Map<String, String> env, boolean demoPage) {

  public ClusterSpec {
    if (brokers < 1 || processors < 1 || gateways < 1) {
      throw new IllegalArgumentException("a cluster needs at least one broker, processor and "
          + "gateway: " + brokers + "/" + processors + "/" + gateways);
    }
    Objects.requireNonNull(gatewayHost, "gatewayHost");
    Objects.requireNonNull(postgres, "postgres");
    Objects.requireNonNull(workDir, "workDir");
    env = Map.copyOf(env);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ClusterSpec}; defaults: 3 brokers, 2 processors, 2 gateways, free ports. */
  public static final class Builder {
    private int brokers = 3;
    private int processors = 2;
    private int gateways = 2;
    private String gatewayHost = "127.0.0.1";
    private int gatewayPort;
    private int kafkaPort;
    private int pgPort;
    private EmbeddedPostgres postgres;
    private Path workDir;
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean demoPage;

    private Builder() {}

    public Builder brokers(final int n) {
      this.brokers = n;
      return this;
    }

    public Builder processors(final int n) {
      this.processors = n;
      return this;
    }

    public Builder gateways(final int n) {
      this.gateways = n;
      return this;
    }

    public Builder gatewayHost(final String host) {
      this.gatewayHost = host;
      return this;
    }

    /** The first gateway's port; the others follow (0: free ports). */
    public Builder gatewayPort(final int port) {
      this.gatewayPort = port;
      return this;
    }

    /** The first broker's client port; the others follow (0: free ports). */
    public Builder kafkaPort(final int port) {
      this.kafkaPort = port;
      return this;
    }

    /** Port of the PostgreSQL the cluster starts (0: a free port). */
    public Builder pgPort(final int port) {
      this.pgPort = port;
      return this;
    }

    /** Use this running PostgreSQL (the cluster neither starts nor stops one). */
    public Builder postgres(final EmbeddedPostgres running) {
      this.postgres = running;
      return this;
    }

    public Builder workDir(final Path dir) {
      this.workDir = dir;
      return this;
    }

    /** Adds {@code TIDEWIRE_*} settings for every part (they win over the cluster's own). */
    public Builder env(final Map<String, String> settings) {
      this.env.putAll(settings);
      return this;
    }

    public Builder demoPage(final boolean on) {
      this.demoPage = on;
      return this;
    }

    public ClusterSpec build() {
      return new ClusterSpec(brokers, processors, gateways, gatewayHost, gatewayPort, kafkaPort,
          pgPort, Optional.ofNullable(postgres), workDir, env, demoPage);
    }
  }
}
