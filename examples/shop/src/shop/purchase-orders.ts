import type pg from 'pg';
import { transaction } from '../db/transaction.js';
import type { Db } from '../db/types.js';
import type { Page } from './customers.js';
import { insertLines, type LineInput, type LineView, linesOf, priceLines } from './lines.js';
import { fromCents } from './money.js';

export interface NewPurchaseOrder {
  supplier: string;
  /** YYYY-MM-DD; default today. */
  transaction_date?: string;
  /** When the goods are expected, YYYY-MM-DD. */
  schedule_date?: string;
  /** `rate` is the buying price per unit (default the item's selling price). */
  lines: LineInput[];
}

export interface PurchaseOrder {
  id: number;
  supplier: string;
  transaction_date: string;
  schedule_date: string | null;
  total_qty: number;
  grand_total: number;
  created_at: Date;
  lines: LineView[];
}

const SELECT = `SELECT id, supplier, transaction_date::text AS transaction_date, schedule_date::text AS schedule_date,
  total_qty, grand_total::float8 AS grand_total, created_at FROM purchase_orders`;

export async function createPurchaseOrder(pool: pg.Pool, input: NewPurchaseOrder): Promise<PurchaseOrder> {
  const id = await transaction(pool, async (db) => {
    const priced = await priceLines(db, input.lines);
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO purchase_orders (supplier, transaction_date, schedule_date, total_qty, grand_total)
       VALUES ($1, COALESCE($2::date, CURRENT_DATE), $3, $4, $5) RETURNING id`,
      [
        input.supplier,
        input.transaction_date ?? null,
        input.schedule_date ?? null,
        priced.totalQty,
        fromCents(priced.grandTotalCents),
      ],
    );
    const orderId = rows[0]!.id;
    await insertLines(db, 'purchase_order_lines', 'order_id', orderId, priced.lines);
    return orderId;
  });
  return (await getPurchaseOrder(pool, id))!;
}

export async function listPurchaseOrders(db: Db, page: Page): Promise<PurchaseOrder[]> {
  const { rows } = await db.query<Omit<PurchaseOrder, 'lines'>>(`${SELECT} ORDER BY id DESC LIMIT $1 OFFSET $2`, [
    page.limit,
    page.offset,
  ]);
  const lines = await linesOf(
    db,
    'purchase_order_lines',
    'order_id',
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ ...row, lines: lines.get(row.id) ?? [] }));
}

export async function getPurchaseOrder(db: Db, id: number): Promise<PurchaseOrder | undefined> {
  const { rows } = await db.query<Omit<PurchaseOrder, 'lines'>>(`${SELECT} WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const lines = await linesOf(db, 'purchase_order_lines', 'order_id', [id]);
  return { ...row, lines: lines.get(id) ?? [] };
}
