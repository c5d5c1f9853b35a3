import { type Db, PG_UNIQUE_VIOLATION, pgCode } from '../db/types.js';
import type { Page } from './customers.js';
import { ShopError } from './errors.js';

export interface Item {
  id: number;
  code: string;
  name: string;
  price: number;
  opening_qty: number;
  /** Opening quantity minus what submitted invoices sold (the recompute-stock job keeps it current). */
  stock_qty: number;
  /** Stock plus what purchase orders bring. */
  projected_qty: number;
  stock_updated_at: Date | null;
  created_at: Date;
}

export interface NewItem {
  code: string;
  name: string;
  price: number;
  opening_qty?: number;
}

// numeric comes back from pg as text; float8 is exact enough for two decimals.
const COLUMNS =
  'id, code, name, price::float8 AS price, opening_qty, stock_qty, projected_qty, stock_updated_at, created_at';

export async function createItem(db: Db, input: NewItem): Promise<Item> {
  const opening = input.opening_qty ?? 0;
  try {
    const { rows } = await db.query<Item>(
      `INSERT INTO items (code, name, price, opening_qty, stock_qty, projected_qty)
       VALUES ($1, $2, round($3::numeric, 2), $4, $4, $4) RETURNING ${COLUMNS}`,
      [input.code, input.name, input.price, opening],
    );
    return rows[0]!;
  } catch (error) {
    if (pgCode(error) === PG_UNIQUE_VIOLATION) throw new ShopError(409, `an item with code "${input.code}" already exists`);
    throw error;
  }
}

export async function listItems(db: Db, page: Page): Promise<Item[]> {
  const { rows } = await db.query<Item>(`SELECT ${COLUMNS} FROM items ORDER BY code LIMIT $1 OFFSET $2`, [
    page.limit,
    page.offset,
  ]);
  return rows;
}

export async function getItem(db: Db, code: string): Promise<Item | undefined> {
  const { rows } = await db.query<Item>(`SELECT ${COLUMNS} FROM items WHERE code = $1`, [code]);
  return rows[0];
}
