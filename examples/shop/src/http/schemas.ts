/** JSON-schema pieces shared by the routes. */

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

export interface PageQuery {
  limit: number;
  offset: number;
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
} as const;

export interface IdParams {
  id: number;
}

export const itemCode = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$' } as const;

/** Years PostgreSQL and people agree on: ajv's `date` format alone accepts year 0000, which PostgreSQL refuses. */
export const DATE_PATTERN = '^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$';

export const date = { type: 'string', format: 'date', pattern: DATE_PATTERN } as const;

/** Bounds that keep every amount exact in cents as a JavaScript number, and within the numeric columns. */
export const MAX_QTY = 100_000;
export const MAX_PRICE = 1_000_000;

/** Lines of an invoice or a purchase order. */
export const lines = {
  type: 'array',
  minItems: 1,
  maxItems: 200,
  items: {
    type: 'object',
    required: ['item_code', 'qty'],
    additionalProperties: false,
    properties: {
      item_code: itemCode,
      qty: { type: 'integer', minimum: 1, maximum: MAX_QTY },
      rate: { type: 'number', minimum: 0, maximum: MAX_PRICE },
    },
  },
} as const;
