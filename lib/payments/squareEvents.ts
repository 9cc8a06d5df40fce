/**
 * What a Square event means for the hotel, in the same terms as a Stripe event (paymentEvents.ts):
 * an outcome the trigger routes on and a change the billing ledger merges.
 *
 * - payment.created / payment.updated carry the whole payment. COMPLETED is a success (a refund
 *   since, as `refunded_money`, makes it "refunded"); FAILED a failure; APPROVED (authorised,
 *   waiting for Complete), PENDING and CANCELED change nothing the hotel bills.
 * - refund.created / refund.updated carry one refund with its own amount (not the payment's
 *   total): a COMPLETED one is merged by its id, so the same refund counted twice, or two refunds
 *   in either order, add up the same. Square's payment.updated after a refund reports the total
 *   as well; the ledger keeps the larger of the two.
 * - The reservation is the payment's `reference_id` (set by Hotel Payment when it creates the
 *   payment, or typed at the front desk). A refund names only its payment, whose reservation the
 *   ledger already knows.
 * Square's ids are kept in the ledger as `square:<id>`, so they can never meet a Stripe id.
 */
import type { ClassifiedEvent, PaymentChange } from './paymentEvents';
import type { SquareEvent } from './squareSignature';

export const SQUARE_ID_PREFIX = 'square:';

/** The billing ledger's id of a Square payment. */
export const squareLedgerId = (paymentId: string) => `${SQUARE_ID_PREFIX}${paymentId}`;

/** A ledger id as its gateway shows it (what a guest finds on the gateway's own receipt). */
export const gatewayPaymentId = (ledgerId: string) => (ledgerId.startsWith(SQUARE_ID_PREFIX) ? ledgerId.slice(SQUARE_ID_PREFIX.length) : ledgerId);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Square objects are loosely shaped JSON
type SquareObject = Record<string, any>;

const money = (m: SquareObject | undefined) => (m && Number.isInteger(m.amount) && m.amount >= 0 ? { amount: m.amount as number, currency: String(m.currency ?? '') } : undefined);

function reservationOf(payment: SquareObject): string | undefined {
	const id = payment.reference_id;
	return typeof id === 'string' && id.trim() !== '' ? id.trim() : undefined;
}

function paymentChange(payment: SquareObject): PaymentChange | undefined {
	const amount = money(payment.amount_money);
	if (typeof payment.id !== 'string' || payment.id === '' || !amount) return undefined;
	return {
		paymentId: squareLedgerId(payment.id),
		gateway: 'square',
		reservationId: reservationOf(payment),
		currency: amount.currency.toLowerCase(),
		amount: amount.amount,
		status: 'succeeded',
	};
}

export function classifySquareEvent(event: SquareEvent): ClassifiedEvent {
	const base = { eventId: event.event_id, type: event.type };
	const object = event.data.object;
	switch (event.type) {
		case 'payment.created':
		case 'payment.updated': {
			const payment: SquareObject = object.payment ?? {};
			const change = paymentChange(payment);
			if (!change) return { ...base, outcome: 'other' };
			if (payment.status === 'COMPLETED') {
				const refunded = money(payment.refunded_money)?.amount ?? 0;
				const received = money(payment.total_money)?.amount ?? change.amount;
				return { ...base, outcome: refunded > 0 ? 'refunded' : 'succeeded', change: { ...change, amountReceived: received, ...(refunded > 0 ? { amountRefunded: refunded } : {}) } };
			}
			if (payment.status === 'FAILED') {
				const error = payment.card_details?.errors?.[0];
				return { ...base, outcome: 'failed', change: { ...change, status: 'failed', error: error?.detail ?? error?.code ?? 'The payment failed.' } };
			}
			return { ...base, outcome: 'other' };
		}
		case 'refund.created':
		case 'refund.updated': {
			const refund: SquareObject = object.refund ?? {};
			const amount = money(refund.amount_money);
			if (refund.status !== 'COMPLETED' || typeof refund.id !== 'string' || typeof refund.payment_id !== 'string' || !amount) return { ...base, outcome: 'other' };
			return {
				...base,
				outcome: 'refunded',
				change: {
					paymentId: squareLedgerId(refund.payment_id),
					gateway: 'square',
					currency: amount.currency.toLowerCase(),
					// A refunded payment was paid; its amount comes from the ledger's row.
					status: 'succeeded',
					refund: { id: squareLedgerId(refund.id), amount: amount.amount },
				},
			};
		}
		default:
			return { ...base, outcome: 'other' };
	}
}
