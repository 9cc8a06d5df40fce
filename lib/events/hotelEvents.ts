/**
 * The hotel's event feed: reservation and payment changes, for the steps that tell guests and
 * staff (guest e-mails, the hotel's calendar) — whoever made the change: the booking engine, an
 * OTA, staff in n8n, or a Stripe webhook.
 *
 * Writers call `recordHotelEvent` inside the transaction of the change. It locks the data version
 * row first (as inventory changes do, and last in the transaction, so it cannot deadlock), and a
 * reader takes that lock shared before reading: it waits for writers in flight, so every id up to
 * the newest it sees is settled and a plain id cursor never skips an event that took a lower id
 * and committed later (the same reasoning as lib/inventory/changeLog.ts).
 *
 * Each reader (consumer) keeps its own cursor in hotel_event_cursors. A new reader starts at the
 * newest event: activating a notifications workflow does not mail every guest the hotel ever had.
 */
import type { Db, Queryable } from '../store/queryable';
import type { Reservation } from '../inventory/reservationTypes';
import type { PaymentRecord } from '../payments/paymentRecord';

export const HOTEL_EVENTS = [
	'reservation.created',
	'reservation.modified',
	'reservation.cancelled',
	'payment.succeeded',
	'payment.failed',
	'payment.refunded',
] as const;

export type HotelEventName = (typeof HOTEL_EVENTS)[number];

/** The payment as the ledger holds it after the change (ids and amounts; never card data). */
export type PaymentFacts = Pick<PaymentRecord, 'method' | 'currency' | 'amount' | 'amountReceived' | 'amountRefunded' | 'status'> & {
	paymentId: string;
	error: string | null;
};

export interface HotelEventPayload {
	/** The reservation as it was after the change; null for a payment of a reservation this store does not hold. */
	reservation: Reservation | null;
	payment?: PaymentFacts;
}

export interface HotelEvent extends HotelEventPayload {
	id: string;
	event: HotelEventName;
	reservationId: string;
	occurredAt: string;
}

export async function recordHotelEvent(tx: Queryable, event: HotelEventName, reservationId: string, payload: HotelEventPayload): Promise<void> {
	// Lock the row, but do not bump the version: an event is not a change of availability, and a
	// bump would end every cached availability answer on each payment.
	await tx.query('SELECT 1 FROM hotel_data_version FOR UPDATE');
	await tx.query('INSERT INTO hotel_events (event, reservation_id, payload) VALUES ($1, $2, $3)', [event, reservationId, JSON.stringify(payload)]);
}

/**
 * The events after this consumer's cursor (at most `limit`), and the cursor moved past them.
 * `events` filters what is returned; the cursor moves past the others too.
 */
export async function takeHotelEvents(db: Db, consumer: string, opts: { events?: readonly string[]; limit?: number } = {}): Promise<HotelEvent[]> {
	return db.transaction(async (tx) => {
		await tx.query('SELECT 1 FROM hotel_data_version FOR SHARE');
		// The consumer's row is locked for the transaction: two polls of one trigger cannot both take the same events.
		await tx.query(
			`INSERT INTO hotel_event_cursors (consumer, event_id) SELECT $1, COALESCE(MAX(id), 0) FROM hotel_events
			 ON CONFLICT (consumer) DO NOTHING`,
			[consumer],
		);
		const after = (await tx.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM hotel_event_cursors WHERE consumer = $1 FOR UPDATE', [consumer])).rows[0].event_id;
		const rows = (
			await tx.query<{ id: string; event: HotelEventName; reservation_id: string; payload: HotelEventPayload | string; created_at: Date | string }>(
				// ORDER BY the column, not the text alias (text order puts 10 before 9).
				'SELECT e.id::text AS id, e.event, e.reservation_id, e.payload, e.created_at FROM hotel_events e WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2',
				[after, opts.limit ?? 500],
			)
		).rows;
		if (rows.length === 0) return [];
		await tx.query('UPDATE hotel_event_cursors SET event_id = $2::bigint, updated_at = now() WHERE consumer = $1', [consumer, rows[rows.length - 1].id]);
		const wanted = opts.events && opts.events.length > 0 ? new Set(opts.events) : undefined;
		return rows
			.filter((r) => !wanted || wanted.has(r.event))
			.map(toHotelEvent);
	});
}

/**
 * The events of the last `hours` hours (oldest first, at most `limit`) whose stay is not over yet
 * (the reservation departs today or later), without moving any cursor: a catch-up re-reads them,
 * and what they call for (an e-mail in the outbox under its dedupe key) happens once however often.
 */
export async function recentHotelEvents(db: Db, opts: { hours: number; events?: readonly string[]; limit?: number }): Promise<HotelEvent[]> {
	const rows = (
		await db.query<{ id: string; event: HotelEventName; reservation_id: string; payload: HotelEventPayload | string; created_at: Date | string }>(
			`SELECT e.id::text AS id, e.event, e.reservation_id, e.payload, e.created_at FROM hotel_events e
			 LEFT JOIN reservations r ON r.id = e.reservation_id
			 WHERE e.created_at >= now() - $2::integer * interval '1 hour'
			   AND (cardinality($1::text[]) = 0 OR e.event = ANY($1::text[]))
			   AND (r.departure IS NULL OR r.departure >= current_date)
			 ORDER BY e.id LIMIT $3`,
			[opts.events ?? [], Math.round(opts.hours), opts.limit ?? 500],
		)
	).rows;
	return rows.map(toHotelEvent);
}

/** The newest events, without moving any cursor: sample data for "Test workflow" in the editor. */
export async function latestHotelEvents(db: Db, opts: { events?: readonly string[]; limit?: number } = {}): Promise<HotelEvent[]> {
	const rows = (
		await db.query<{ id: string; event: HotelEventName; reservation_id: string; payload: HotelEventPayload | string; created_at: Date | string }>(
			`SELECT e.id::text AS id, e.event, e.reservation_id, e.payload, e.created_at FROM hotel_events e
			 WHERE cardinality($1::text[]) = 0 OR e.event = ANY($1::text[]) ORDER BY e.id DESC LIMIT $2`,
			[opts.events ?? [], opts.limit ?? 1],
		)
	).rows;
	return rows.reverse().map(toHotelEvent);
}

function toHotelEvent(r: { id: string; event: HotelEventName; reservation_id: string; payload: HotelEventPayload | string; created_at: Date | string }): HotelEvent {
	const payload = typeof r.payload === 'string' ? (JSON.parse(r.payload) as HotelEventPayload) : r.payload;
	return { id: r.id, event: r.event, reservationId: r.reservation_id, occurredAt: new Date(r.created_at).toISOString(), ...payload };
}
