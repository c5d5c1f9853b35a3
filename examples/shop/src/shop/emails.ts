import type pg from 'pg';
import { transaction } from '../db/transaction.js';

export type EmailOutcome =
  | { status: 'sent'; recipient: string }
  | { status: 'skipped'; reason: string }
  | { status: 'missing' };

/**
 * "Sends" a submitted invoice to its customer: the example has no mail server, so the message goes to the
 * email_outbox table. At most once per invoice, so a retried job does not send it twice.
 */
export async function sendInvoiceEmail(pool: pg.Pool, invoiceId: number): Promise<EmailOutcome> {
  return transaction(pool, async (db) => {
    const { rows } = await db.query<{
      status: string;
      emailed_at: Date | null;
      email: string | null;
      name: string;
      grand_total: string;
      posting_date: string;
    }>(
      `SELECT s.status, s.emailed_at, c.email, c.name, s.grand_total, s.posting_date::text AS posting_date
       FROM sales_invoices s JOIN customers c ON c.id = s.customer_id WHERE s.id = $1 FOR UPDATE OF s`,
      [invoiceId],
    );
    const invoice = rows[0];
    if (!invoice) return { status: 'missing' };
    if (invoice.emailed_at) return { status: 'skipped', reason: 'already sent' };
    if (invoice.status !== 'submitted') return { status: 'skipped', reason: 'draft invoices are not sent' };
    if (!invoice.email) return { status: 'skipped', reason: 'the customer has no e-mail address' };
    await db.query('INSERT INTO email_outbox (invoice_id, recipient, subject, body) VALUES ($1, $2, $3, $4)', [
      invoiceId,
      invoice.email,
      `Invoice ${invoiceId}`,
      `Dear ${invoice.name},\n\nplease find invoice ${invoiceId} of ${invoice.posting_date}: ${invoice.grand_total}.\n`,
    ]);
    await db.query('UPDATE sales_invoices SET emailed_at = now() WHERE id = $1', [invoiceId]);
    return { status: 'sent', recipient: invoice.email };
  });
}
