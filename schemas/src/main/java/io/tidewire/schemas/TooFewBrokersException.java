package io.tidewire.schemas;

import org.apache.kafka.common.config.ConfigException;

/**
 * The Kafka cluster has fewer brokers than the configured replication factor: a settings problem
 * (a single broker with the production default of 3), so a part fails at start with this one-line
 * message instead of retrying.
 */
public final class TooFewBrokersException extends ConfigException {

  private static final long serialVersionUID = 1L;

  TooFewBrokersException(final String message) {
    super(message);
  }
}
