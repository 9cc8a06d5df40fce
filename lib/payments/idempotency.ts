/**
 * Idempotency keys (Stripe's header, Square's `idempotency_key` field) derived from what a write means for the hotel: the operation, the
 * reservation (or payment) it acts on, and a reference the user chooses when one reservation needs
 * several payments of the same kind (a deposit and a balance, two partial refunds). A workflow that
 * is retried or re-run sends the same key, and Stripe answers with the first result instead of
 * charging again. Keys stay readable in the gateway's dashboard when they fit its limit (Stripe 255
 * characters, Square 45); otherwise they are a digest of the same three parts.
 */
import { createHash } from 'node:crypto';

export type PaymentWrite = 'create' | 'confirm' | 'capture' | 'cancel' | 'refund';

export const STRIPE_MAX_KEY = 255;
export const SQUARE_MAX_KEY = 45;

export function idempotencyKey(operation: PaymentWrite, subject: string, reference = 'default', maxLength = STRIPE_MAX_KEY): string {
	if (!subject.trim()) throw new Error(`An idempotency key for "${operation}" needs a reservation or payment id.`);
	const readable = `hotel-${operation}-${subject}-${reference}`;
	// Non-ASCII ids (guest-facing references) and long ids are hashed so the header stays valid.
	if (readable.length <= maxLength && /^[\x21-\x7e]+$/.test(readable)) return readable;
	const digest = createHash('sha256').update(JSON.stringify([operation, subject, reference])).digest('hex');
	const prefix = `hotel-${operation}-`;
	return prefix + digest.slice(0, maxLength - prefix.length);
}
