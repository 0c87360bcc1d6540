#!/bin/sh
# Creates each PostgreSQL database named in DATABASES (space-separated) that is missing; existing ones are kept.
# docker-compose.yml runs it once before the apps start, in the postgres image (its psql): the apps' rate-limit
# stores need their database to exist (rate-limiter-flexible makes its tables, not the database), and one job
# making them means no two replicas race to.
#
# Environment: DATABASES; psql's own PGHOST, PGPORT, PGUSER, PGPASSWORD.
set -eu

: "${DATABASES:?DATABASES must name the databases to create}"

# Every name checked before any is made: a bad list creates nothing.
for name in $DATABASES; do
  case $name in
    *[!A-Za-z0-9_]*)
      echo "cannot create the database \"$name\": use letters, digits, \"_\"" >&2
      exit 1
      ;;
  esac
done

for name in $DATABASES; do
  exists=$(psql --dbname=postgres --no-psqlrc --tuples-only --no-align --set=ON_ERROR_STOP=1 \
    --command="SELECT 1 FROM pg_database WHERE datname = '$name'")
  if [ "$exists" = 1 ]; then
    echo "database $name exists"
  else
    psql --dbname=postgres --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --command="CREATE DATABASE \"$name\""
    echo "database $name created"
  fi
done
