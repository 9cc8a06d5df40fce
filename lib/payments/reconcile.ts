/**
 * Reconciling the billing ledger with a gateway: the gateway's record of recent payments is read
 * and merged into the ledger exactly as its webhooks would have been — the same classification, the
 * same order-independent merge — so a webhook that never arrived (endpoint down longer than the
 * gateway retries, a rotated secret) is made good by the next run, and one that arrives after the
 * run changes nothing twice. Hotel events (receipts, refund e-mails) are recorded only for real
 * transitions, so a reconciled payment gets its e-mail once.
 */
import { isUnmatched, type BillingLedger } from './billingLedger';
import type { ClassifiedEvent } from './paymentEvents';
import { classifyStripeEvent } from './paymentEvents';
import type { StripeGateway } from './stripeGateway';
import type { SquareGateway } from './squareGateway';
import { classifySquareEvent } from './squareEvents';
import type { SquareEvent } from './squareSignature';

/** The Stripe events that change billing (paymentEvents.ts). */
export const STRIPE_BILLING_EVENTS = ['payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded'];

export interface ReconcileReport {
	gateway: 'stripe' | 'square';
	/** The window's start. */
	since: string;
	/** Events (or payments and refunds) read from the gateway. */
	read: number;
	/** Of those, the ones that changed the ledger: the webhooks that had been missed. */
	applied: Array<{ eventId: string; type: string; paymentId: string; reservationId: string }>;
	/** Already in the ledger. */
	unchanged: number;
	/** Payments naming no reservation of the store: held in the unmatched list for hotel IT. */
	unmatched: Array<{ eventId: string; type: string; paymentId: string; namedReservationId: string | null }>;
	/** Held payments whose reservation has appeared since: matched and applied by this run. */
	matched: Array<{ paymentId: string; reservationId: string }>;
}

/** Merges each classified change and reports which ones the ledger had not seen. */
export async function mergeIntoLedger(ledger: BillingLedger, gateway: ReconcileReport['gateway'], since: Date, events: ClassifiedEvent[]): Promise<ReconcileReport> {
	const report: ReconcileReport = { gateway, since: since.toISOString(), read: events.length, applied: [], unchanged: 0, unmatched: [], matched: [] };
	// First what waited for its reservation: it may be older than the window read below.
	for (const { payment, billing } of await ledger.matchWaiting()) report.matched.push({ paymentId: payment.paymentId, reservationId: billing.reservationId });
	for (const { eventId, type, change } of events) {
		if (!change) continue;
		const billing = await ledger.apply(change, undefined, undefined, eventId);
		if (isUnmatched(billing)) {
			report.unmatched.push({ eventId, type, paymentId: change.paymentId, namedReservationId: billing.unmatched.namedReservationId });
			continue;
		}
		// Whether the ledger had not seen it, decided in the merge's own transaction.
		if (billing.changed) report.applied.push({ eventId, type, paymentId: change.paymentId, reservationId: billing.reservationId });
		else report.unchanged++;
	}
	return report;
}


/** Stripe: its events of the last `days` days that change billing, oldest first. */
export async function reconcileStripe(stripe: StripeGateway, ledger: BillingLedger, days: number, now = Date.now()): Promise<ReconcileReport> {
	const since = new Date(now - days * 86_400_000);
	const events = await stripe.listEvents(STRIPE_BILLING_EVENTS, Math.floor(since.getTime() / 1000));
	return mergeIntoLedger(ledger, 'stripe', since, events.map(classifyStripeEvent));
}

/**
 * Square: its payments and refunds of the last `days` days, read as the payment.updated and
 * refund.updated events that report their present state (payments first, so a refund finds its
 * payment in the ledger).
 */
export async function reconcileSquare(square: SquareGateway, ledger: BillingLedger, days: number, now = Date.now()): Promise<ReconcileReport> {
	const since = new Date(now - days * 86_400_000);
	const asEvent = (kind: 'payment' | 'refund', object: Record<string, unknown>): SquareEvent => ({
		event_id: `${kind}:${String(object.id)}:${String(object.updated_at ?? '')}`,
		type: `${kind}.updated`,
		data: { type: kind, id: String(object.id), object: { [kind]: object } },
	});
	const payments = (await square.listPayments(since)).map((p) => classifySquareEvent(asEvent('payment', p)));
	const refunds = (await square.listRefunds(since)).map((r) => classifySquareEvent(asEvent('refund', r)));
	return mergeIntoLedger(ledger, 'square', since, [...payments, ...refunds]);
}
