import { type Db, PG_UNIQUE_VIOLATION, pgCode } from '../db/types.js';
import { ShopError } from './errors.js';

export interface Customer {
  id: number;
  name: string;
  email: string | null;
  created_at: Date;
}

export interface NewCustomer {
  name: string;
  email?: string;
}

export interface Page {
  limit: number;
  offset: number;
}

const COLUMNS = 'id, name, email, created_at';

export async function createCustomer(db: Db, input: NewCustomer): Promise<Customer> {
  try {
    const { rows } = await db.query<Customer>(
      `INSERT INTO customers (name, email) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      [input.name, input.email ?? null],
    );
    return rows[0]!;
  } catch (error) {
    if (pgCode(error) === PG_UNIQUE_VIOLATION) {
      throw new ShopError(409, `a customer named "${input.name}" already exists`);
    }
    throw error;
  }
}

export async function listCustomers(db: Db, page: Page): Promise<Customer[]> {
  const { rows } = await db.query<Customer>(`SELECT ${COLUMNS} FROM customers ORDER BY id LIMIT $1 OFFSET $2`, [
    page.limit,
    page.offset,
  ]);
  return rows;
}

export async function getCustomer(db: Db, id: number): Promise<Customer | undefined> {
  const { rows } = await db.query<Customer>(`SELECT ${COLUMNS} FROM customers WHERE id = $1`, [id]);
  return rows[0];
}
