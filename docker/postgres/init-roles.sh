#!/bin/bash
# Runs once, when the postgres container initializes an empty data directory, as the
# admin role. Each service gets a login role of its own, without superuser, that owns
# only its databases: the ledger cannot touch Temporal's history and the reverse.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v ledger_password="$LEDGER_DB_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE provisioner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ledger_password';
CREATE DATABASE provisioner OWNER provisioner;
REVOKE ALL ON DATABASE provisioner FROM PUBLIC;

CREATE ROLE temporal LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE temporal FROM PUBLIC;
REVOKE ALL ON DATABASE temporal_visibility FROM PUBLIC;
SQL
