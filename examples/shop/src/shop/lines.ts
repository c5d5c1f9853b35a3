/** Document lines (invoices, purchase orders): resolve item codes, price them and total them, in cents. */
import type { Db } from '../db/types.js';
import { ShopError } from './errors.js';
import { fromCents, toCents } from './money.js';

export interface LineInput {
  item_code: string;
  qty: number;
  /** Price per unit; default the item's price. */
  rate?: number;
}

export interface PricedLine {
  line_no: number;
  item_id: number;
  item_code: string;
  qty: number;
  rateCents: number;
  amountCents: number;
}

export interface PricedLines {
  lines: PricedLine[];
  totalQty: number;
  grandTotalCents: number;
}

export async function priceLines(db: Db, inputs: readonly LineInput[]): Promise<PricedLines> {
  const codes = [...new Set(inputs.map((line) => line.item_code))];
  const { rows } = await db.query<{ id: number; code: string; price: string }>(
    'SELECT id, code, price FROM items WHERE code = ANY($1)',
    [codes],
  );
  const byCode = new Map(rows.map((row) => [row.code, row]));
  const unknown = codes.filter((code) => !byCode.has(code));
  if (unknown.length > 0) {
    throw new ShopError(400, `unknown item code${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  }
  const lines = inputs.map((input, i): PricedLine => {
    const item = byCode.get(input.item_code)!;
    const rateCents = toCents(input.rate ?? item.price);
    return {
      line_no: i + 1,
      item_id: item.id,
      item_code: item.code,
      qty: input.qty,
      rateCents,
      amountCents: rateCents * input.qty,
    };
  });
  return {
    lines,
    totalQty: lines.reduce((n, line) => n + line.qty, 0),
    grandTotalCents: lines.reduce((n, line) => n + line.amountCents, 0),
  };
}

/** Inserts the lines of document `id` into `table` (`sales_invoice_lines` or `purchase_order_lines`). */
export async function insertLines(
  db: Db,
  table: 'sales_invoice_lines' | 'purchase_order_lines',
  parentColumn: 'invoice_id' | 'order_id',
  id: number,
  lines: readonly PricedLine[],
): Promise<void> {
  // One statement for all lines: unnest the columns side by side.
  await db.query(
    `INSERT INTO ${table} (${parentColumn}, line_no, item_id, qty, rate, amount)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::numeric[], $6::numeric[])`,
    [
      id,
      lines.map((l) => l.line_no),
      lines.map((l) => l.item_id),
      lines.map((l) => l.qty),
      lines.map((l) => fromCents(l.rateCents)),
      lines.map((l) => fromCents(l.amountCents)),
    ],
  );
}

export interface LineView {
  line_no: number;
  item_code: string;
  item_name: string;
  qty: number;
  rate: number;
  amount: number;
}

/** The lines of documents `ids`, grouped by document id. */
export async function linesOf(
  db: Db,
  table: 'sales_invoice_lines' | 'purchase_order_lines',
  parentColumn: 'invoice_id' | 'order_id',
  ids: readonly number[],
): Promise<Map<number, LineView[]>> {
  const { rows } = await db.query<LineView & { parent: number }>(
    `SELECT l.${parentColumn} AS parent, l.line_no, i.code AS item_code, i.name AS item_name, l.qty,
            l.rate::float8 AS rate, l.amount::float8 AS amount
     FROM ${table} l JOIN items i ON i.id = l.item_id
     WHERE l.${parentColumn} = ANY($1) ORDER BY l.${parentColumn}, l.line_no`,
    [ids],
  );
  const byParent = new Map<number, LineView[]>(ids.map((id) => [id, []]));
  for (const { parent, ...line } of rows) byParent.get(parent)?.push(line);
  return byParent;
}
