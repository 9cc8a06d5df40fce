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
import { LOCK_SPACE, lockUntilCommit } from '../store/locks';
import type { PaymentChange } from './paymentEvents';
import type { PaymentRecord } from './paymentRecord';
import { recordHotelEvent, type HotelEventName, type PaymentFacts } from '../events/hotelEvents';
import { findReservation } from '../inventory/reservations';
import { reservationExists } from '../inventory/reservationRows';
import { HotelError } from '../errors';

export type BillingStatus = 'unpaid' | 'paid' | 'failed' | 'refunded' | 'partially_refunded';

export interface BillingSummary {
	reservationId: string;
	status: BillingStatus;
	currency: string | null;
	amountPaid: number;
	amountRefunded: number;
}

/** What apply did to a payment of the store: the reservation's billing after it, and whether the payment changed (a redelivery does not). */
export type Applied = BillingSummary & { changed: boolean };

/** A payment a gateway reported that names no reservation of the store (see apply). */
export interface UnmatchedPayment {
	paymentId: string;
	gateway: string;
	/** The reservation id the payment named, if any (not in the store when it was reported). */
	namedReservationId: string | null;
	currency: string;
	amount: number | null;
	status: string;
	eventIds: string[];
	firstSeen: string;
	lastSeen: string;
	matchedReservationId: string | null;
	matchedAt: string | null;
	/** 'hand' (hotel IT) or 'reservation appeared'. */
	matchedBy: string | null;
}

export interface Unmatched {
	unmatched: UnmatchedPayment;
}

interface UnmatchedRow {
	payment_id: string;
	gateway: string;
	named_reservation_id: string | null;
	currency: string;
	amount: string | number | null;
	status: string;
	event_ids: string[];
	changes: PaymentChange[];
	first_seen: Date;
	last_seen: Date;
	matched_reservation_id: string | null;
	matched_at: Date | null;
	matched_by: string | null;
}

function toUnmatched(r: UnmatchedRow): UnmatchedPayment {
	return {
		paymentId: r.payment_id,
		gateway: r.gateway,
		namedReservationId: r.named_reservation_id,
		currency: r.currency,
		amount: r.amount === null ? null : Number(r.amount),
		status: r.status,
		eventIds: r.event_ids,
		firstSeen: r.first_seen.toISOString(),
		lastSeen: r.last_seen.toISOString(),
		matchedReservationId: r.matched_reservation_id,
		matchedAt: r.matched_at?.toISOString() ?? null,
		matchedBy: r.matched_by,
	};
}

export function isUnmatched(result: BillingSummary | Unmatched | undefined): result is Unmatched {
	return result !== undefined && 'unmatched' in result;
}

export type { PaymentRecord } from './paymentRecord';

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
		return this.applyToKnown({ paymentId: p.id, reservationId: p.reservationId, currency: p.currency, amount: p.amount, status: p.status }, 'stripe', p.reference);
	}

	/** Cash or bank transfer: succeeded at once. `reference` makes a re-run record it only once. */
	recordOfflinePayment(p: { reservationId: string; method: string; currency: string; amount: number; reference: string }) {
		const id = `offline:${p.reservationId}:${p.method}:${p.reference}`;
		return this.applyToKnown(
			{ paymentId: id, reservationId: p.reservationId, currency: p.currency, amount: p.amount, amountReceived: p.amount, status: 'succeeded' },
			p.method,
			p.reference,
		);
	}

	/** For payments the hotel itself records: a reservation the store does not have is refused, not held. */
	private async applyToKnown(change: PaymentChange, method: string, reference?: string): Promise<BillingSummary> {
		await this.requireReservation(change.reservationId!);
		const result = await this.apply(change, method, reference);
		if (isUnmatched(result)) throw new HotelError('not_found', `Reservation ${change.reservationId} is not in the hotel's store.`, 'reservationId');
		return result;
	}

	/**
	 * Merges one change into the payment and re-derives the reservation's billing status.
	 *
	 * The payment belongs to the reservation its ledger row names, else to the one the change names
	 * if that reservation is in the store. A payment that matches neither is never applied to an
	 * invented reservation: it is held in the unmatched list (`{ unmatched }`) until the reservation
	 * appears (matchWaiting) or hotel IT matches it by hand (matchPayment).
	 */
	async apply(change: PaymentChange, method: string = change.gateway ?? 'stripe', reference?: string, eventId?: string): Promise<Applied | Unmatched> {
		return this.db.transaction(async (tx) => {
			await lockPayment(tx, change.paymentId);
			const { reservationId, held } = await placePayment(tx, change);
			if (!reservationId) return { unmatched: await holdUnmatched(tx, change, method, eventId) };
			const merged = await mergePayment(tx, reservationId, change, method, reference);
			if (!held) return { ...merged.billing, changed: merged.changed };
			return { ...(await releaseHeld(tx, change.paymentId, reservationId, merged.billing)), changed: true };
		});
	}

	/** Refuses a payment for a reservation the store does not have, before anything is sent to a gateway. */
	async requireReservation(reservationId: string): Promise<void> {
		if (!(await reservationExists(this.db, reservationId))) {
			throw new HotelError('not_found', `Reservation ${reservationId} is not in the hotel's store: a payment must belong to a reservation the hotel has.`, 'reservationId');
		}
	}

	/** The payments held as unmatched, oldest first; with `includeMatched`, also those matched since. */
	async listUnmatched(opts: { includeMatched?: boolean } = {}): Promise<UnmatchedPayment[]> {
		const rows = await this.db.query<UnmatchedRow>(
			`SELECT * FROM unmatched_payments ${opts.includeMatched ? '' : 'WHERE matched_at IS NULL'} ORDER BY first_seen, payment_id`,
		);
		return rows.rows.map(toUnmatched);
	}

	/**
	 * Matches a held payment to a reservation of the store (hotel IT, by hand): its changes are merged
	 * as if the gateway had named that reservation, so billing, receipts and refunds follow as usual.
	 */
	async matchPayment(paymentId: string, reservationId: string, matchedBy = 'hand'): Promise<{ payment: UnmatchedPayment; billing: BillingSummary }> {
		return this.db.transaction(async (tx) => {
			await lockPayment(tx, paymentId);
			const held = (await tx.query<UnmatchedRow>('SELECT * FROM unmatched_payments WHERE payment_id = $1', [paymentId])).rows[0];
			if (!held) throw new HotelError('not_found', `Payment ${paymentId} is not in the unmatched payments list.`, 'paymentId');
			if (held.matched_at) throw new HotelError('conflict', `Payment ${paymentId} was already matched to reservation ${held.matched_reservation_id}.`, 'paymentId');
			if (!(await reservationExists(tx, reservationId))) throw new HotelError('not_found', `Reservation ${reservationId} is not in the hotel's store.`, 'reservationId');
			let billing: BillingSummary | undefined;
			for (const change of held.changes) billing = (await mergePayment(tx, reservationId, { ...change, reservationId }, held.gateway)).billing;
			const matched = await tx.query<UnmatchedRow>(
				`UPDATE unmatched_payments SET matched_reservation_id = $2, matched_at = now(), matched_by = $3 WHERE payment_id = $1 RETURNING *`,
				[paymentId, reservationId, matchedBy],
			);
			return { payment: toUnmatched(matched.rows[0]), billing: billing! };
		});
	}

	/** Matches every held payment whose named reservation has since appeared in the store. */
	async matchWaiting(): Promise<Array<{ payment: UnmatchedPayment; billing: BillingSummary }>> {
		const waiting = await this.db.query<{ payment_id: string; named_reservation_id: string }>(
			`SELECT u.payment_id, u.named_reservation_id FROM unmatched_payments u JOIN reservations r ON r.id = u.named_reservation_id
			 WHERE u.matched_at IS NULL ORDER BY u.first_seen`,
		);
		const matched = [];
		for (const row of waiting.rows) {
			try {
				matched.push(await this.matchPayment(row.payment_id, row.named_reservation_id, 'reservation appeared'));
			} catch (error) {
				// Matched by another process meanwhile: nothing left to do for it.
				if (!(error instanceof HotelError && error.code === 'conflict')) throw error;
			}
		}
		return matched;
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
}

/**
 * Every change of one payment — merge, hold, match — runs under this lock, taken first: a hold
 * that did not exist yet cannot be written twice at once, a match cannot interleave with a delivery
 * of the same payment, and locks are always taken in the same order (payment, then billing row).
 */
async function lockPayment(tx: Queryable, paymentId: string): Promise<void> {
	await lockUntilCommit(tx, LOCK_SPACE.payment, paymentId);
}

/**
 * The payment's reservation — the one its ledger row names, else the one the change names if the
 * store has it — and whether changes of it are held from before it could be placed; one statement.
 */
async function placePayment(tx: Queryable, change: PaymentChange): Promise<{ reservationId?: string; held: boolean }> {
	const { rows } = await tx.query<{ reservation_id: string | null; held: boolean }>(
		`SELECT COALESCE((SELECT reservation_id FROM payments WHERE id = $1), (SELECT id FROM reservations WHERE id = $2)) AS reservation_id,
		        EXISTS (SELECT 1 FROM unmatched_payments WHERE payment_id = $1 AND matched_at IS NULL) AS held`,
		[change.paymentId, change.reservationId ?? null],
	);
	return { reservationId: rows[0].reservation_id ?? undefined, held: rows[0].held };
}

async function mergePayment(tx: Queryable, reservationId: string, change: PaymentChange, method: string, reference?: string): Promise<{ billing: BillingSummary; changed: boolean }> {
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
	const changed = !current || current.status !== status || current.amount_received !== received || current.amount_refunded !== refunded;
	return { billing: await deriveBilling(tx, reservationId), changed };
}

/**
 * Changes held for a payment the ledger now places (a refund reported before its payment): merged
 * now, and the held entry marked matched. Returns the billing after them.
 */
async function releaseHeld(tx: Queryable, paymentId: string, reservationId: string, billing: BillingSummary): Promise<BillingSummary> {
	const held = (await tx.query<UnmatchedRow>('SELECT * FROM unmatched_payments WHERE payment_id = $1 AND matched_at IS NULL', [paymentId])).rows[0];
	if (!held) return billing;
	for (const change of held.changes) billing = (await mergePayment(tx, reservationId, { ...change, reservationId }, held.gateway)).billing;
	await tx.query(`UPDATE unmatched_payments SET matched_reservation_id = $2, matched_at = now(), matched_by = 'payment appeared' WHERE payment_id = $1`, [paymentId, reservationId]);
	return billing;
}

/**
 * Holds a change of a payment that matches no reservation: kept with every change reported for it
 * (each once), its status the highest reported, so matching it later merges all it went through.
 */
async function holdUnmatched(tx: Queryable, change: PaymentChange, gateway: string, eventId?: string): Promise<UnmatchedPayment> {
	const held = (await tx.query<UnmatchedRow>('SELECT * FROM unmatched_payments WHERE payment_id = $1', [change.paymentId])).rows[0];
	// Compared key-sorted: jsonb hands objects back with its own key order.
	const reported = canonical(change);
	const changes = held ? (held.changes.some((each) => canonical(each) === reported) ? held.changes : [...held.changes, change]) : [change];
	const eventIds = [...new Set([...(held?.event_ids ?? []), ...(eventId ? [eventId] : [])])];
	const { rows } = await tx.query<UnmatchedRow>(
		`INSERT INTO unmatched_payments (payment_id, gateway, named_reservation_id, currency, amount, status, event_ids, changes)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		 ON CONFLICT (payment_id) DO UPDATE SET
		   named_reservation_id = COALESCE(EXCLUDED.named_reservation_id, unmatched_payments.named_reservation_id),
		   amount = COALESCE(EXCLUDED.amount, unmatched_payments.amount), status = EXCLUDED.status,
		   event_ids = EXCLUDED.event_ids, changes = EXCLUDED.changes, last_seen = now()
		 RETURNING *`,
		[
			change.paymentId,
			gateway,
			change.reservationId ?? null,
			change.currency.toLowerCase(),
			change.amount ?? null,
			higherStatus(held?.status, change.status),
			eventIds,
			JSON.stringify(changes),
		],
	);
	return toUnmatched(rows[0]);
}

function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
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
