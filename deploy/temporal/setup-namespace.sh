#!/bin/sh
# Registers the namespace and the workflows' search attributes, each only when missing, so it is safe on every
# `docker compose up`. Runs in the temporalio/admin-tools image, whose `temporal` CLI reads TEMPORAL_ADDRESS.
# (`pnpm stack:postgres` does the same in TypeScript, from allSearchAttributes; deploy/test checks that the list
# below is that one.)
#
# Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (default), TEMPORAL_CLI (temporal), the CLI to run.
set -eu

: "${TEMPORAL_CLI:=temporal}"
: "${TEMPORAL_NAMESPACE:=default}"
namespace=$TEMPORAL_NAMESPACE

if ! "$TEMPORAL_CLI" operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  # A week of closed orders for operators to look back on.
  "$TEMPORAL_CLI" operator namespace create --namespace "$namespace" --retention 168h
fi

# The namespace reaches the server's cache a moment after it is created.
attempts=0
until existing=$("$TEMPORAL_CLI" operator search-attribute list --namespace "$namespace" 2>/dev/null); do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 60 ]; then
    echo "namespace $namespace did not become usable" >&2
    exit 1
  fi
  sleep 1
done

for attribute in OrderState=Keyword OrderStateSince=Datetime CustomerId=Keyword DriverId=Keyword OrderTotalCents=Int LoyaltyLevel=Keyword LoyaltyPoints=Int PassStatus=Keyword; do
  name=${attribute%%=*}
  type=${attribute#*=}
  if ! printf '%s\n' "$existing" | grep -qw "$name"; then
    "$TEMPORAL_CLI" operator search-attribute create --namespace "$namespace" --name "$name" --type "$type"
  fi
done
echo "namespace $namespace is ready with the workflows' search attributes"
