import type { Db } from '../db/types.js';

export interface SalesSummary {
  date: string;
  invoices: number;
  customers: number;
  total_qty: number;
  grand_total: number;
  top_items: { code: string; name: string; qty: number; amount: number }[];
}

export interface Report {
  id: number;
  kind: string;
  period: string;
  data: SalesSummary;
  generated_at: Date;
}

/** Summarizes the submitted invoices of one day and stores it (again, if it was already generated). */
export async function generateSalesSummary(db: Db, date: string): Promise<Report> {
  const totals = await db.query<Omit<SalesSummary, 'date' | 'top_items'>>(
    `SELECT count(*)::int AS invoices, count(DISTINCT customer_id)::int AS customers,
            COALESCE(sum(total_qty), 0)::int AS total_qty, COALESCE(sum(grand_total), 0)::float8 AS grand_total
     FROM sales_invoices WHERE posting_date = $1 AND status = 'submitted'`,
    [date],
  );
  const top = await db.query<SalesSummary['top_items'][number]>(
    `SELECT i.code, i.name, sum(l.qty)::int AS qty, sum(l.amount)::float8 AS amount
     FROM sales_invoice_lines l
     JOIN sales_invoices s ON s.id = l.invoice_id AND s.posting_date = $1 AND s.status = 'submitted'
     JOIN items i ON i.id = l.item_id
     GROUP BY i.code, i.name ORDER BY amount DESC, i.code LIMIT 5`,
    [date],
  );
  const data: SalesSummary = { date, ...totals.rows[0]!, top_items: top.rows };
  const { rows } = await db.query<Report>(
    `INSERT INTO reports (kind, period, data) VALUES ('sales_summary', $1, $2)
     ON CONFLICT (kind, period) DO UPDATE SET data = EXCLUDED.data, generated_at = now()
     RETURNING id, kind, period::text AS period, data, generated_at`,
    [date, JSON.stringify(data)],
  );
  return rows[0]!;
}

export async function listReports(db: Db, limit: number): Promise<Report[]> {
  const { rows } = await db.query<Report>(
    `SELECT id, kind, period::text AS period, data, generated_at FROM reports ORDER BY period DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** The database's date `daysAgo` days back, as YYYY-MM-DD (the same calendar the invoices are posted in). */
export async function databaseDate(db: Db, daysAgo = 0): Promise<string> {
  const { rows } = await db.query<{ date: string }>('SELECT (CURRENT_DATE - $1::int)::text AS date', [daysAgo]);
  return rows[0]!.date;
}
