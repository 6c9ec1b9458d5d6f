/**
 * PostgreSQL for the history tests: a throw-away database per store on the server named by LIMIQC_TEST_PG_URL
 * (`.ci/run` starts Debian's server and sets it; locally: export LIMIQC_TEST_PG_URL="$(bash scripts/pg-test-server.sh)").
 * Without it the PostgreSQL tests are skipped with a notice, unless LIMIQC_REQUIRE_PG=1 (set by .ci/run), which
 * makes them fail instead, so CI cannot pass without a real server.
 */
import pg from "pg";

export const PG_ADMIN_URL = process.env.LIMIQC_TEST_PG_URL ?? "";
const REQUIRED = process.env.LIMIQC_REQUIRE_PG === "1";

if (!PG_ADMIN_URL && REQUIRED) {
  throw new Error("LIMIQC_REQUIRE_PG=1 but LIMIQC_TEST_PG_URL is not set: start a server with scripts/pg-test-server.sh and export its URL.");
}
if (!PG_ADMIN_URL) console.warn("history: PostgreSQL tests skipped (set LIMIQC_TEST_PG_URL, e.g. from scripts/pg-test-server.sh)");

/** Whether the PostgreSQL tests run. */
export const PG_AVAILABLE = PG_ADMIN_URL !== "";

const created: string[] = [];

/** The admin URL with another database name. */
export function pgUrlFor(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs SQL as the admin connection (database of LIMIQC_TEST_PG_URL, or `database`). */
export async function pgAdmin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = [], database?: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: database ? pgUrlFor(database) : PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Creates an empty database and returns its connection string. */
export async function newPgDatabase(label: string): Promise<string> {
  const name = `limiqc_test_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  await pgAdmin(`CREATE DATABASE ${name}`);
  created.push(name);
  return pgUrlFor(name);
}

/** Drops every database {@link newPgDatabase} made (call in afterAll). */
export async function dropPgDatabases(): Promise<void> {
  for (const name of created.splice(0)) await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
