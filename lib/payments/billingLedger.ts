/**
 * The hotel's record of payments and each reservation's billing status.
 *
 * Stripe delivers events at least once and in any order, so every change is a *merge*: amounts only
 * grow (Stripe reports them cumulatively) and a status only moves up the ranking below (a failed
 * attempt cannot undo a success). Applying the same change twice, or two changes in either order,
 * ends in the same state. The billing status is then derived from all payments of the reservation in
 * the same transaction, with the reservation's billing row locked so concurrent events serialize.
 */
import type { Db, Queryable } from '../store/db';
import type { PaymentChange } from './paymentEvents';
import { recordHotelEvent, type HotelEventName, type PaymentFacts } from '../events/hotelEvents';
import { findReservation } from '../inventory/reservations';

export type BillingStatus = 'unpaid' | 'paid' | 'failed' | 'refunded' | 'partially_refunded';

export interface BillingSummary {
	reservationId: string;
	status: BillingStatus;
	currency: string | null;
	amountPaid: number;
	amountRefunded: number;
}

export interface PaymentRecord {
	id: string;
	reservationId: string;
	method: string;
	currency: string;
	amount: number;
	amountReceived: number;
	amountRefunded: number;
	status: string;
	reference: string | null;
}

const STATUS_RANK: Record<string, number> = {
	requires_payment_method: 0,
	requires_confirmation: 0,
	requires_action: 0,
	failed: 1,
	canceled: 2,
	processing: 3,
	requires_capture: 4,
	succeeded: 5,
};

function higherStatus(current: string | undefined, next: string): string {
	if (current === undefined) return next;
	return (STATUS_RANK[next] ?? 0) >= (STATUS_RANK[current] ?? 0) ? next : current;
}

export class BillingLedger {
	constructor(private readonly db: Db) {}

	/** Records a payment intent we created (status as Stripe answered). */
	recordPaymentIntent(p: { id: string; reservationId: string; currency: string; amount: number; status: string; reference?: string }) {
		return this.apply({ paymentId: p.id, reservationId: p.reservationId, currency: p.currency, amount: p.amount, status: p.status }, 'stripe', p.reference);
	}

	/** Cash or bank transfer: succeeded at once. `reference` makes a re-run record it only once. */
	recordOfflinePayment(p: { reservationId: string; method: string; currency: string; amount: number; reference: string }) {
		const id = `offline:${p.reservationId}:${p.method}:${p.reference}`;
		return this.apply(
			{ paymentId: id, reservationId: p.reservationId, currency: p.currency, amount: p.amount, amountReceived: p.amount, status: 'succeeded' },
			p.method,
			p.reference,
		);
	}

	/**
	 * Merges one change into the payment and re-derives the reservation's billing status.
	 * Returns undefined when the change names no reservation and no payment we know.
	 */
	async apply(change: PaymentChange, method: string = change.gateway ?? 'stripe', reference?: string): Promise<BillingSummary | undefined> {
		const reservationId = change.reservationId ?? (await this.reservationOfPayment(change.paymentId));
		if (!reservationId) return undefined;
		return this.db.transaction(async (tx) => {
			await lockBilling(tx, reservationId);
			const current = (
				await tx.query<{ status: string; amount: number; amount_received: number; amount_refunded: number }>(
					'SELECT status, amount, amount_received, amount_refunded FROM payments WHERE id = $1 FOR UPDATE',
					[change.paymentId],
				)
			).rows[0];
			const status = higherStatus(current?.status, change.status);
			const amount = change.amount ?? current?.amount ?? 0;
			const received = Math.max(current?.amount_received ?? 0, change.amountReceived ?? 0);
			const refunded = Math.max(current?.amount_refunded ?? 0, change.amountRefunded ?? 0, change.refund ? await countRefund(tx, change.paymentId, change.refund) : 0);
			await tx.query(
				`INSERT INTO payments (id, reservation_id, method, currency, amount, amount_received, amount_refunded, status, reference, last_error)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				 ON CONFLICT (id) DO UPDATE SET
				   amount_received = EXCLUDED.amount_received, amount_refunded = EXCLUDED.amount_refunded,
				   status = EXCLUDED.status, last_error = COALESCE(EXCLUDED.last_error, payments.last_error),
				   reference = COALESCE(payments.reference, EXCLUDED.reference), updated_at = now()`,
				[change.paymentId, reservationId, method, change.currency.toLowerCase(), amount, received, refunded, status, reference ?? null, change.error ?? null],
			);
			const payment = { paymentId: change.paymentId, method, currency: change.currency.toLowerCase(), amount, amountReceived: received, amountRefunded: refunded, status, error: change.error ?? null };
			for (const event of paymentEvents(current, payment)) {
				await recordHotelEvent(tx, event, reservationId, { reservation: (await findReservation(tx, reservationId)) ?? null, payment });
			}
			return deriveBilling(tx, reservationId);
		});
	}

	async billingOf(reservationId: string): Promise<BillingSummary> {
		const row = (
			await this.db.query<{ status: BillingStatus; currency: string | null; amount_paid: number; amount_refunded: number }>(
				'SELECT status, currency, amount_paid, amount_refunded FROM reservation_billing WHERE reservation_id = $1',
				[reservationId],
			)
		).rows[0];
		return row
			? { reservationId, status: row.status, currency: row.currency, amountPaid: row.amount_paid, amountRefunded: row.amount_refunded }
			: { reservationId, status: 'unpaid', currency: null, amountPaid: 0, amountRefunded: 0 };
	}

	async paymentsOf(reservationId: string): Promise<PaymentRecord[]> {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a database row, mapped field by field below
		const rows = await this.db.query<Record<string, any>>('SELECT * FROM payments WHERE reservation_id = $1 ORDER BY created_at, id', [reservationId]);
		return rows.rows.map(toPaymentRecord);
	}

	/** One payment by its ledger id (one query: reconcile asks before and after every merge). */
	async findPayment(id: string): Promise<PaymentRecord | undefined> {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a database row, mapped field by field below
		const rows = await this.db.query<Record<string, any>>('SELECT * FROM payments WHERE id = $1', [id]);
		return rows.rows[0] ? toPaymentRecord(rows.rows[0]) : undefined;
	}

	private async reservationOfPayment(paymentId: string): Promise<string | undefined> {
		const rows = await this.db.query<{ reservation_id: string }>('SELECT reservation_id FROM payments WHERE id = $1', [paymentId]);
		return rows.rows[0]?.reservation_id;
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a payments row
function toPaymentRecord(r: Record<string, any>): PaymentRecord {
	return {
		id: r.id,
		reservationId: r.reservation_id,
		method: r.method,
		currency: r.currency,
		amount: r.amount,
		amountReceived: r.amount_received,
		amountRefunded: r.amount_refunded,
		status: r.status,
		reference: r.reference,
	};
}

/**
 * What a merge changed, as events for guests and staff: only real transitions, so a redelivered
 * Stripe event (a merge that changes nothing) records nothing.
 */
function paymentEvents(before: { status: string; amount_refunded: number } | undefined, after: PaymentFacts): HotelEventName[] {
	const events: HotelEventName[] = [];
	if (after.status === 'succeeded' && before?.status !== 'succeeded') events.push('payment.succeeded');
	if (after.status === 'failed' && before?.status !== 'failed') events.push('payment.failed');
	if (after.amountRefunded > (before?.amount_refunded ?? 0)) events.push('payment.refunded');
	return events;
}

/** Records one completed refund (once, by its id) and returns all refunded on the payment so far. */
async function countRefund(tx: Queryable, paymentId: string, refund: { id: string; amount: number }): Promise<number> {
	const { rows } = await tx.query<{ total: string | number }>(
		`WITH added AS (
		   INSERT INTO payment_refunds (id, payment_id, amount) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING amount
		 )
		 SELECT COALESCE((SELECT SUM(amount) FROM payment_refunds WHERE payment_id = $2), 0) + COALESCE((SELECT SUM(amount) FROM added), 0) AS total`,
		[refund.id, paymentId, refund.amount],
	);
	return Number(rows[0].total);
}

/** Creates the reservation's billing row if need be and locks it, in one statement (an upsert that updates locks its row). */
async function lockBilling(tx: Queryable, reservationId: string) {
	await tx.query(
		'INSERT INTO reservation_billing (reservation_id) VALUES ($1) ON CONFLICT (reservation_id) DO UPDATE SET reservation_id = EXCLUDED.reservation_id',
		[reservationId],
	);
}

/** Sums the reservation's payments into its billing row and returns it, in one statement. */
async function deriveBilling(tx: Queryable, reservationId: string): Promise<BillingSummary> {
	const row = (
		await tx.query<{ status: BillingStatus; currency: string | null; amount_paid: number; amount_refunded: number }>(
			`WITH totals AS (
			   SELECT COALESCE(SUM(amount_received) FILTER (WHERE status = 'succeeded'), 0) AS paid,
			          COALESCE(SUM(amount_refunded), 0) AS refunded,
			          COUNT(*) FILTER (WHERE status = 'failed') AS failed,
			          MIN(currency) AS currency
			   FROM payments WHERE reservation_id = $1
			 )
			 UPDATE reservation_billing SET
			   status = CASE
			     WHEN totals.paid > 0 AND totals.refunded >= totals.paid THEN 'refunded'
			     WHEN totals.paid > 0 AND totals.refunded > 0 THEN 'partially_refunded'
			     WHEN totals.paid > 0 THEN 'paid'
			     WHEN totals.failed > 0 THEN 'failed'
			     ELSE 'unpaid' END,
			   currency = totals.currency, amount_paid = totals.paid, amount_refunded = totals.refunded, updated_at = now()
			 FROM totals WHERE reservation_id = $1
			 RETURNING reservation_billing.status, reservation_billing.currency, reservation_billing.amount_paid, reservation_billing.amount_refunded`,
			[reservationId],
		)
	).rows[0];
	return { reservationId, status: row.status, currency: row.currency, amountPaid: Number(row.amount_paid), amountRefunded: Number(row.amount_refunded) };
}
