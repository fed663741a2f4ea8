package io.tidewire.infra;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The app's schema: plain SQL files in {@code db/migration} on the class path
 * ({@code embedded-infra/src/main/resources/db/migration}), applied by Flyway. The demo and the
 * tests use the same files; a real deployment can run them with any Flyway.
 */
public final class Migrations {

  /** Class path location of the SQL files. */
  public static final String LOCATION = "classpath:db/migration";

  private Migrations() {}

  /** Applies the pending migrations; returns how many ran. */
  public static int apply(final DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations(LOCATION)
        .load()
        .migrate()
        .migrationsExecuted;
  }
}
