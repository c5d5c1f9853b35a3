/** A small, fixed set of example documents so a fresh shop has something to list, count and chart. */
import { recomputeStock } from '../shop/stock.js';
import type { Db } from './types.js';

const CUSTOMERS: [name: string, email: string | null][] = [
  ['Asha Traders', 'accounts@asha-traders.example'],
  ['Blue Lotus Cafe', 'orders@bluelotus.example'],
  ['Walk-in Customer', null],
];

const ITEMS: [code: string, name: string, price: string, openingQty: number][] = [
  ['ICE-VAN', 'Vanilla ice cream, 1 l', '4.50', 120],
  ['ICE-CHO', 'Chocolate ice cream, 1 l', '4.75', 100],
  ['CONE-12', 'Waffle cones, box of 12', '3.20', 200],
  ['TOP-SPR', 'Rainbow sprinkles, 250 g', '2.10', 60],
];

export async function seedExampleData(db: Db): Promise<void> {
  for (const [name, email] of CUSTOMERS) {
    await db.query('INSERT INTO customers (name, email) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, email]);
  }
  for (const [code, name, price, openingQty] of ITEMS) {
    await db.query(
      'INSERT INTO items (code, name, price, opening_qty) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING',
      [code, name, price, openingQty],
    );
  }
  // One order from the dairy and one invoice posted yesterday, so "sales today" starts at 0 like a new day.
  const order = await db.query<{ id: number }>(
    `INSERT INTO purchase_orders (supplier, schedule_date, total_qty, grand_total)
     VALUES ('Dairy Fresh Co', CURRENT_DATE + 7, 90, 206.00) RETURNING id`,
  );
  await db.query(
    `INSERT INTO purchase_order_lines (order_id, line_no, item_id, qty, rate, amount)
     SELECT $1, n, items.id, qty, rate, qty * rate
     FROM (VALUES (1, 'ICE-VAN', 50, 2.20), (2, 'ICE-CHO', 40, 2.40)) AS l (n, code, qty, rate)
     JOIN items ON items.code = l.code`,
    [order.rows[0]!.id],
  );
  const invoice = await db.query<{ id: number }>(
    `INSERT INTO sales_invoices (customer_id, posting_date, status, total_qty, grand_total, emailed_at)
     SELECT id, CURRENT_DATE - 1, 'submitted', 15, 61.00, now() FROM customers WHERE name = 'Blue Lotus Cafe'
     RETURNING id`,
  );
  await db.query(
    `INSERT INTO sales_invoice_lines (invoice_id, line_no, item_id, qty, rate, amount)
     SELECT $1, n, items.id, qty, rate, qty * rate
     FROM (VALUES (1, 'ICE-VAN', 10, 4.50), (2, 'CONE-12', 5, 3.20)) AS l (n, code, qty, rate)
     JOIN items ON items.code = l.code`,
    [invoice.rows[0]!.id],
  );
  await recomputeStock(db);
}
