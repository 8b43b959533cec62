#!/usr/bin/env bash
# Starts a local PostgreSQL for the ledger tests (Debian's package, installed when
# missing) and creates the `provisioner` role and database. Prints the DATABASE_URL.
# Needs root (apt-get, and starting the cluster as the postgres user).
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  pg_ctlcluster "$version" main start >&2
fi

as_postgres() { su postgres -c "$*"; }
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='provisioner'\"" | grep -q 1 ||
  as_postgres "psql -qc \"CREATE ROLE provisioner LOGIN SUPERUSER PASSWORD 'provisioner'\"" >&2
as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='provisioner'\"" | grep -q 1 ||
  as_postgres "createdb -O provisioner provisioner" >&2

echo "postgres://provisioner:provisioner@127.0.0.1:5432/provisioner"
