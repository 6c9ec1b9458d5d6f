#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster on loopback (installing nothing) and makes sure a role `limiqc` that may create
# databases exists; prints the connection URL the history tests and benchmark take as LIMIQC_TEST_PG_URL.
# Needs root (it runs psql as the `postgres` system user) and Debian's `postgresql` package.
#   export LIMIQC_TEST_PG_URL="$(bash scripts/pg-test-server.sh)"
set -euo pipefail
command -v pg_lsclusters >/dev/null || { echo "pg-test-server: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >&2
fi
# the cluster listens on localhost only (Debian's default listen_addresses)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'limiqc') THEN
    CREATE ROLE limiqc LOGIN CREATEDB PASSWORD 'limiqc-test';
  END IF;
END $$;
SQL
echo "postgres://limiqc:limiqc-test@127.0.0.1:${port}/postgres"
