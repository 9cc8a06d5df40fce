/**
 * What a Stripe event means for the hotel. The trigger routes on `outcome`; the billing ledger
 * applies `change`. Events we do not act on are `other` and change nothing.
 */
import type { StripeEvent } from './stripeSignature';

export type PaymentOutcome = 'succeeded' | 'failed' | 'refunded' | 'other';

export const OUTCOMES: PaymentOutcome[] = ['succeeded', 'failed', 'refunded', 'other'];

/** A payment's state as one event reports it. Amounts in minor units. */
export interface PaymentChange {
	paymentId: string; // the payment intent id
	reservationId?: string;
	currency: string;
	/** The payment's amount; absent when the event does not tell it (a Square refund), kept from the ledger. */
	amount?: number;
	amountReceived?: number;
	/** Cumulative, as Stripe reports it on the charge. */
	amountRefunded?: number;
	/** Stripe's payment intent status, or 'failed' for a failed attempt. */
	status: string;
	error?: string;
	/** Which gateway took the payment (the ledger's `method`); Stripe when absent. */
	gateway?: 'stripe' | 'square';
	/** One completed refund with its own amount (Square): counted once by its id, summed per payment. */
	refund?: { id: string; amount: number };
}

export interface ClassifiedEvent {
	eventId: string;
	type: string;
	outcome: PaymentOutcome;
	change?: PaymentChange;
}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Stripe objects are loosely shaped JSON
function reservationOf(object: Record<string, any>): string | undefined {
	const id = object.metadata?.reservation_id;
	return typeof id === 'string' && id !== '' ? id : undefined;
}

export function classifyStripeEvent(event: StripeEvent): ClassifiedEvent {
	const o = event.data.object;
	const base = { eventId: event.id, type: event.type };
	switch (event.type) {
		case 'payment_intent.succeeded':
			return {
				...base,
				outcome: 'succeeded',
				change: {
					paymentId: o.id,
					reservationId: reservationOf(o),
					currency: o.currency,
					amount: o.amount,
					amountReceived: o.amount_received ?? o.amount,
					status: 'succeeded',
				},
			};
		case 'payment_intent.payment_failed':
			return {
				...base,
				outcome: 'failed',
				change: {
					paymentId: o.id,
					reservationId: reservationOf(o),
					currency: o.currency,
					amount: o.amount,
					status: 'failed',
					error: o.last_payment_error?.message ?? o.last_payment_error?.code,
				},
			};
		case 'charge.refunded':
			// A refunded charge was paid: it also tells us what was received, whatever order events come in.
			if (typeof o.payment_intent !== 'string') return { ...base, outcome: 'refunded' };
			return {
				...base,
				outcome: 'refunded',
				change: {
					paymentId: o.payment_intent,
					reservationId: reservationOf(o),
					currency: o.currency,
					amount: o.amount,
					amountReceived: o.amount_captured ?? o.amount,
					amountRefunded: o.amount_refunded,
					status: 'succeeded',
				},
			};
		default:
			return { ...base, outcome: 'other' };
	}
}
