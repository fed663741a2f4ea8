#!/usr/bin/env bash
# Run by the postgres image on the first start of an empty data directory (as POSTGRES_USER, in
# POSTGRES_DB): applies the app's schema, the Flyway migrations of
# embedded-infra/src/main/resources/db/migration (mounted at /tidewire/migrations), in version
# order, each in one transaction. A database created this way has no Flyway history table: to
# apply later migrations with Flyway, baseline it at the last version applied here.
set -euo pipefail
mapfile -t migrations < <(find /tidewire/migrations -maxdepth 1 -name 'V*__*.sql' -printf '%f\n' | sort -V)
if [[ ${#migrations[@]} -eq 0 ]]; then
  echo "no migrations in /tidewire/migrations: is embedded-infra/src/main/resources/db/migration mounted?" >&2
  exit 1
fi
for migration in "${migrations[@]}"; do
  echo "tidewire: applying $migration"
  psql -v ON_ERROR_STOP=1 --single-transaction --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -f "/tidewire/migrations/$migration"
done
