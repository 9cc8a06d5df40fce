/**
 * Stripe idempotency keys derived from what a write means for the hotel: the operation, the
 * reservation (or payment) it acts on, and a reference the user chooses when one reservation needs
 * several payments of the same kind (a deposit and a balance, two partial refunds). A workflow that
 * is retried or re-run sends the same key, and Stripe answers with the first result instead of
 * charging again. Keys stay readable in Stripe's dashboard and under its 255-character limit.
 */
import { createHash } from 'node:crypto';

export type PaymentWrite = 'create' | 'confirm' | 'capture' | 'cancel' | 'refund';

const MAX_KEY = 255;

export function idempotencyKey(operation: PaymentWrite, subject: string, reference = 'default'): string {
	if (!subject.trim()) throw new Error(`An idempotency key for "${operation}" needs a reservation or payment id.`);
	const readable = `hotel-${operation}-${subject}-${reference}`;
	// Non-ASCII ids (guest-facing references) and long ids are hashed so the header stays valid.
	if (readable.length <= MAX_KEY && /^[\x21-\x7e]+$/.test(readable)) return readable;
	const digest = createHash('sha256').update(JSON.stringify([operation, subject, reference])).digest('hex');
	return `hotel-${operation}-${digest}`;
}
