import type { Db } from '../db/types.js';

export interface StockLevel {
  code: string;
  stock_qty: number;
  projected_qty: number;
}

/**
 * Recomputes stock from the documents: opening quantity minus what submitted invoices sold; projected adds what
 * purchase orders bring. For the given item codes, or every item when none are given.
 */
export async function recomputeStock(db: Db, itemCodes?: readonly string[]): Promise<StockLevel[]> {
  const { rows } = await db.query<StockLevel>(
    `UPDATE items i
     SET stock_qty = i.opening_qty - COALESCE(sold.qty, 0),
         projected_qty = i.opening_qty - COALESCE(sold.qty, 0) + COALESCE(ordered.qty, 0),
         stock_updated_at = now()
     FROM items target
     LEFT JOIN LATERAL (
       SELECT sum(l.qty)::int AS qty FROM sales_invoice_lines l
       JOIN sales_invoices s ON s.id = l.invoice_id AND s.status = 'submitted'
       WHERE l.item_id = target.id
     ) sold ON true
     LEFT JOIN LATERAL (
       SELECT sum(l.qty)::int AS qty FROM purchase_order_lines l WHERE l.item_id = target.id
     ) ordered ON true
     WHERE i.id = target.id AND ($1::text[] IS NULL OR target.code = ANY($1))
     RETURNING i.code, i.stock_qty, i.projected_qty`,
    [itemCodes && itemCodes.length > 0 ? itemCodes : null],
  );
  return rows;
}
