#!/usr/bin/env bash
# Run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d) when the data directory is
# first initialised, as the image's superuser (POSTGRES_USER), after it created POSTGRES_DB. Splits the
# database's roles so that the running service cannot change its schema:
#
#   MESHSHOP_MIGRATION_USER  owns the database and its schema "public": Flyway runs the migrations with
#                            it at start-up (DB_MIGRATION_USER / DB_MIGRATION_PASSWORD in the service).
#   MESHSHOP_APP_USER        the running service (DB_USER / DB_PASSWORD): may connect, read and write
#                            the rows of the owner's tables and use its sequences; cannot create, alter,
#                            truncate or drop anything.
#
# Every name and password comes from the environment and reaches SQL only as a psql variable (:"name"
# quotes an identifier, :'name' a literal), so no value is ever pasted into SQL text.
# manifest-tests (DatabaseRolesTest) runs this script against a real PostgreSQL and checks each grant.
set -euo pipefail

: "${POSTGRES_USER:?}" "${POSTGRES_DB:?}"
: "${MESHSHOP_MIGRATION_USER:?}" "${MESHSHOP_MIGRATION_PASSWORD:?}"
: "${MESHSHOP_APP_USER:?}" "${MESHSHOP_APP_PASSWORD:?}"

psql --no-psqlrc --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set db="$POSTGRES_DB" \
  --set owner="$MESHSHOP_MIGRATION_USER" --set owner_password="$MESHSHOP_MIGRATION_PASSWORD" \
  --set app="$MESHSHOP_APP_USER" --set app_password="$MESHSHOP_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';

-- The owner owns the database and the schema the migrations write to.
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";

-- Nobody else may connect or create objects (PostgreSQL 15 already revokes CREATE on public).
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
GRANT USAGE ON SCHEMA public TO :"app";

-- Rows only, on every table and sequence the owner creates from now on (the migrations run later).
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"app";
SQL
