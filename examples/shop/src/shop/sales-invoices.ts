import type pg from 'pg';
import { transaction } from '../db/transaction.js';
import type { Db } from '../db/types.js';
import type { Page } from './customers.js';
import { ShopError } from './errors.js';
import { insertLines, type LineInput, type LineView, linesOf, priceLines } from './lines.js';
import { fromCents } from './money.js';

export interface NewSalesInvoice {
  customer_id: number;
  /** YYYY-MM-DD; default today (the database's date). */
  posting_date?: string;
  /** false keeps it a draft: not counted in sales and not e-mailed. Default true. */
  submit?: boolean;
  lines: LineInput[];
}

export interface SalesInvoice {
  id: number;
  customer_id: number;
  customer_name: string;
  posting_date: string;
  status: 'draft' | 'submitted';
  total_qty: number;
  grand_total: number;
  emailed_at: Date | null;
  created_at: Date;
  lines: LineView[];
}

export interface InvoiceFilter extends Page {
  posting_date?: string;
  customer_id?: number;
}

// posting_date as text: a JavaScript Date would shift a calendar date by the server's time zone.
const SELECT = `SELECT s.id, s.customer_id, c.name AS customer_name, s.posting_date::text AS posting_date, s.status,
  s.total_qty, s.grand_total::float8 AS grand_total, s.emailed_at, s.created_at
  FROM sales_invoices s JOIN customers c ON c.id = s.customer_id`;

export async function createSalesInvoice(pool: pg.Pool, input: NewSalesInvoice): Promise<SalesInvoice> {
  const id = await transaction(pool, async (db) => {
    const customer = await db.query('SELECT 1 FROM customers WHERE id = $1', [input.customer_id]);
    if (customer.rowCount === 0) throw new ShopError(400, `customer ${input.customer_id} does not exist`);
    const priced = await priceLines(db, input.lines);
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO sales_invoices (customer_id, posting_date, status, total_qty, grand_total)
       VALUES ($1, COALESCE($2::date, CURRENT_DATE), $3, $4, $5) RETURNING id`,
      [
        input.customer_id,
        input.posting_date ?? null,
        input.submit === false ? 'draft' : 'submitted',
        priced.totalQty,
        fromCents(priced.grandTotalCents),
      ],
    );
    const invoiceId = rows[0]!.id;
    await insertLines(db, 'sales_invoice_lines', 'invoice_id', invoiceId, priced.lines);
    return invoiceId;
  });
  return (await getSalesInvoice(pool, id))!;
}

export async function listSalesInvoices(db: Db, filter: InvoiceFilter): Promise<SalesInvoice[]> {
  const { rows } = await db.query<Omit<SalesInvoice, 'lines'>>(
    `${SELECT}
     WHERE ($3::date IS NULL OR s.posting_date = $3) AND ($4::int IS NULL OR s.customer_id = $4)
     ORDER BY s.id DESC LIMIT $1 OFFSET $2`,
    [filter.limit, filter.offset, filter.posting_date ?? null, filter.customer_id ?? null],
  );
  const lines = await linesOf(
    db,
    'sales_invoice_lines',
    'invoice_id',
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ ...row, lines: lines.get(row.id) ?? [] }));
}

export async function getSalesInvoice(db: Db, id: number): Promise<SalesInvoice | undefined> {
  const { rows } = await db.query<Omit<SalesInvoice, 'lines'>>(`${SELECT} WHERE s.id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const lines = await linesOf(db, 'sales_invoice_lines', 'invoice_id', [id]);
  return { ...row, lines: lines.get(id) ?? [] };
}
