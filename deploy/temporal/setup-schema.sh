#!/bin/sh
# Creates Temporal's two PostgreSQL databases when they are missing and migrates both to the schema of this release
# (embedded in temporal-sql-tool, so the tool and the schema never disagree). Safe to run before every server start:
# an existing database is kept, and a schema already current is left alone.
#
# The one script both stacks run: docker-compose.yml in the temporalio/admin-tools image, and `pnpm stack:postgres`
# (and the tests on it) with the temporal-sql-tool built from source — so the compose set-up is exercised for real.
#
# Environment: SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD (read by temporal-sql-tool itself); DBNAME
# (temporal) and VISIBILITY_DBNAME (temporal_visibility), the names the server's config template reads too;
# SQL_TOOL (temporal-sql-tool), the tool to run.
set -eu

: "${SQL_TOOL:=temporal-sql-tool}"
: "${DBNAME:=temporal}"
: "${VISIBILITY_DBNAME:=temporal_visibility}"
: "${SQL_HOST:?SQL_HOST must name the PostgreSQL host}"
: "${SQL_USER:?SQL_USER must name the PostgreSQL user}"
SQL_PLUGIN=postgres12
export SQL_PLUGIN

setup() {
  database=$1
  schema=$2
  # create-database has no "if not exists"; an existing database is the one failure that is fine.
  if ! output=$("$SQL_TOOL" --db "$database" create-database 2>&1); then
    case $output in
      *"already exists"*) echo "database $database exists" ;;
      *)
        printf '%s\n' "$output" >&2
        exit 1
        ;;
    esac
  fi
  "$SQL_TOOL" --db "$database" setup-schema -v 0.0
  "$SQL_TOOL" --db "$database" update-schema --schema-name "postgresql/v12/$schema"
}

setup "$DBNAME" temporal
setup "$VISIBILITY_DBNAME" visibility
echo "Temporal schema is current in $DBNAME and $VISIBILITY_DBNAME"
