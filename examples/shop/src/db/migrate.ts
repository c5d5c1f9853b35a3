/**
 * The shop's tables, created on start if missing. Idempotent, and serialized by an advisory lock so the API and
 * the worker can both run it at once (concurrent CREATE … IF NOT EXISTS can otherwise collide in the catalog).
 */
import type pg from 'pg';
import { seedExampleData } from './seed.js';
import { transaction } from './transaction.js';

const TABLES = `
CREATE TABLE IF NOT EXISTS customers (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS items (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  price numeric(12, 2) NOT NULL CHECK (price >= 0),
  opening_qty integer NOT NULL DEFAULT 0,
  -- Maintained by the recompute-stock job: opening - sold; projected adds what is on order.
  stock_qty integer NOT NULL DEFAULT 0,
  projected_qty integer NOT NULL DEFAULT 0,
  stock_updated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sales_invoices (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  posting_date date NOT NULL DEFAULT CURRENT_DATE,
  status text NOT NULL CHECK (status IN ('draft', 'submitted')),
  total_qty integer NOT NULL,
  grand_total numeric(16, 2) NOT NULL,
  emailed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sales_invoices_posting_date ON sales_invoices (posting_date);
CREATE TABLE IF NOT EXISTS sales_invoice_lines (
  invoice_id integer NOT NULL REFERENCES sales_invoices (id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  item_id integer NOT NULL REFERENCES items (id),
  qty integer NOT NULL CHECK (qty > 0),
  rate numeric(12, 2) NOT NULL CHECK (rate >= 0),
  amount numeric(16, 2) NOT NULL,
  PRIMARY KEY (invoice_id, line_no)
);
CREATE INDEX IF NOT EXISTS sales_invoice_lines_item ON sales_invoice_lines (item_id);
CREATE TABLE IF NOT EXISTS purchase_orders (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supplier text NOT NULL,
  transaction_date date NOT NULL DEFAULT CURRENT_DATE,
  schedule_date date,
  total_qty integer NOT NULL,
  grand_total numeric(16, 2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS purchase_order_lines (
  order_id integer NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  item_id integer NOT NULL REFERENCES items (id),
  qty integer NOT NULL CHECK (qty > 0),
  rate numeric(12, 2) NOT NULL CHECK (rate >= 0),
  amount numeric(16, 2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX IF NOT EXISTS purchase_order_lines_item ON purchase_order_lines (item_id);
-- What the send-invoice-email job "sends": the example has no mail server.
CREATE TABLE IF NOT EXISTS email_outbox (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id integer NOT NULL UNIQUE REFERENCES sales_invoices (id) ON DELETE CASCADE,
  recipient text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS reports (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  period date NOT NULL,
  data jsonb NOT NULL,
  generated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, period)
);
CREATE TABLE IF NOT EXISTS shop_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
`;

export interface MigrateResult {
  /** True when this run inserted the example data (first start with seeding on). */
  seeded: boolean;
}

/** Creates the schema and tables if missing, then (once per schema) the example data. */
export async function migrate(pool: pg.Pool, schema: string, options: { seed: boolean }): Promise<MigrateResult> {
  return transaction(pool, async (client) => {
    // One lock per schema: runs on other schemas (parallel test runs) do not wait for each other.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vigil-example-shop:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(TABLES);
    if (!options.seed) return { seeded: false };
    const done = await client.query(`SELECT 1 FROM shop_meta WHERE key = 'seeded_at'`);
    if (done.rowCount !== 0) return { seeded: false };
    await seedExampleData(client);
    await client.query(`INSERT INTO shop_meta (key, value) VALUES ('seeded_at', now()::text)`);
    return { seeded: true };
  });
}
