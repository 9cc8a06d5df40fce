/**
 * Guest personal data, kept only as long as it is needed.
 *
 * A reservation's guest data — name, e-mail, phone, comments and special requests, the guest names
 * of its rooms — is copied into its history, the hotel event feed (the reservation as it was after
 * each change) and the e-mails sent about it. Erasing it means all of those, in one transaction per
 * reservation; what accounting needs stays: ids, channel references, dates, rooms, amounts, payments,
 * statuses. The reservation keeps its row (renamed "Erased guest") so billing and the sold counts of
 * its nights are untouched, and its version goes up so a calendar catch-up rewrites its event.
 *
 * Two ways in: by retention (every reservation whose departure is more than N days past), and on a
 * guest's request (one reservation, or every reservation and e-mail of an address). A stay that is
 * still to come is not erased on request: cancel it first, or wait until the guest has left.
 */
import { HotelError, invalid } from '../errors';
import { addDays, today } from '../inventory/dates';
import type { Db, Queryable } from '../store/db';

export const ERASED_NAME = 'Erased guest';

export interface ErasedReservation {
	reservationId: string;
	departure: string;
	/** Rows rewritten: history snapshots, events in the feed, e-mails in the outbox, channel log details. */
	historyRows: number;
	events: number;
	emails: number;
	channelLogDetails: number;
}

export interface RetentionReport {
	daysAfterDeparture: number;
	/** Reservations departed before this day are erased. */
	departedBefore: string;
	erased: ErasedReservation[];
	/** Still to erase after this run's limit: the next run goes on. */
	remaining: number;
	/** E-mails not tied to a reservation and channel log details (reservations a channel sent that were not taken in), older than the retention. */
	olderEmails: number;
	olderChannelLogDetails: number;
}

export interface ErasureReport {
	request: { reservationId?: string; email?: string };
	erased: ErasedReservation[];
	/** E-mails to the address not tied to one of the reservations. */
	otherEmails: number;
	otherChannelLogDetails: number;
}

const MAX_RETENTION_DAYS = 3650;

/** Runs an UPDATE and answers how many rows it changed (Queryable has no rowCount: RETURNING counts them). */
async function changed(db: Queryable, sql: string, params: unknown[]): Promise<number> {
	return (await db.query(`${sql} RETURNING 1`, params)).rows.length;
}

export async function eraseExpiredGuestData(db: Db, opts: { daysAfterDeparture: number; limit?: number; today?: string }): Promise<RetentionReport> {
	const days = opts.daysAfterDeparture;
	if (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS) {
		throw invalid('daysAfterDeparture', `Days after departure must be a whole number from 0 to ${MAX_RETENTION_DAYS}, not ${days}.`);
	}
	const limit = opts.limit ?? 500;
	const departedBefore = addDays(opts.today ?? today(), -days);
	const due = await db.query<{ id: string }>(
		'SELECT id FROM reservations WHERE departure < $1 AND guest_data_erased_at IS NULL ORDER BY departure, id LIMIT $2',
		[departedBefore, limit + 1],
	);
	const erased: ErasedReservation[] = [];
	for (const { id } of due.rows.slice(0, limit)) {
		const done = await db.transaction((tx) => eraseReservation(tx, id));
		if (done) erased.push(done);
	}
	const remaining = due.rows.length > limit ? Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM reservations WHERE departure < $1 AND guest_data_erased_at IS NULL', [departedBefore])).rows[0].n) : 0;
	const cutoff = `${departedBefore}T00:00:00Z`;
	const olderEmails = await changed(db, `${ERASE_EMAILS} WHERE reservation_id IS NULL AND created_at < $1 AND to_address <> ''`, [cutoff]);
	const olderChannelLogDetails = await changed(db, 'UPDATE channel_sync_log SET detail = NULL WHERE detail IS NOT NULL AND created_at < $1', [cutoff]);
	return { daysAfterDeparture: days, departedBefore, erased, remaining, olderEmails, olderChannelLogDetails };
}

export async function eraseGuestData(db: Db, request: { reservationId?: string; email?: string }): Promise<ErasureReport> {
	const reservationId = request.reservationId?.trim() || undefined;
	const email = request.email?.trim() || undefined;
	if (!reservationId && !email) throw invalid('reservationId', 'Give the reservation id or the guest e-mail address whose data to erase.');
	return db.transaction(async (tx) => {
		const matches = await tx.query<{ id: string; status: string; departure: string }>(
			`SELECT id, status, departure::text AS departure FROM reservations
			 WHERE ($1::text IS NOT NULL AND id = $1) OR ($2::text IS NOT NULL AND lower(guest_email) = lower($2))
			 ORDER BY id FOR UPDATE`,
			[reservationId ?? null, email ?? null],
		);
		if (reservationId && !matches.rows.some((r) => r.id === reservationId)) throw new HotelError('not_found', `No reservation with id "${reservationId}".`, 'reservationId');
		const upcoming = matches.rows.filter((r) => r.status !== 'cancelled' && r.departure >= today());
		if (upcoming.length > 0) {
			throw new HotelError(
				'conflict',
				`Not erased: ${upcoming.map((r) => r.id).join(', ')} ${upcoming.length === 1 ? 'is a stay' : 'are stays'} still to come (departure on or after today). Cancel first, or erase after the guest has left; nothing was changed.`,
				'reservationId',
			);
		}
		const erased: ErasedReservation[] = [];
		for (const r of matches.rows) {
			const done = await eraseReservation(tx, r.id);
			if (done) erased.push(done);
		}
		const otherEmails = email ? await changed(tx, `${ERASE_EMAILS} WHERE lower(to_address) = lower($1)`, [email]) : 0;
		const otherChannelLogDetails = email ? await changed(tx, 'UPDATE channel_sync_log SET detail = NULL WHERE detail IS NOT NULL AND strpos(lower(detail), lower($1)) > 0', [email]) : 0;
		return { request: { reservationId, email }, erased, otherEmails, otherChannelLogDetails };
	});
}

/**
 * An e-mail's address and content, erased; one still to be sent is failed instead (it would go out
 * empty). What remains says that an e-mail of that template went out when, and how it went.
 */
const ERASE_EMAILS = `UPDATE email_outbox SET to_address = '', subject = '[erased]', html = '', text_body = '',
	last_error = CASE WHEN status IN ('queued', 'sending') THEN 'not sent: guest data erased' ELSE NULL END,
	smtp_response = NULL, status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END,
	lease_until = NULL, lease_token = NULL, updated_at = now()`;

/** A reservation JSON (history snapshot, event payload) without its guest's personal data. */
const SCRUBBED = (json: string) => `${json} || jsonb_build_object(
	'guest', jsonb_build_object('name', '${ERASED_NAME}', 'email', NULL, 'phone', NULL),
	'comments', '[]'::jsonb, 'specialRequests', '[]'::jsonb,
	'roomStays', COALESCE((SELECT jsonb_agg(room || '{"guestName": null}'::jsonb ORDER BY n) FROM jsonb_array_elements(${json} -> 'roomStays') WITH ORDINALITY AS rooms(room, n)), '[]'::jsonb))`;

/** One reservation's guest data, everywhere it was copied. Undefined when it is not there (erased meanwhile). */
async function eraseReservation(tx: Queryable, id: string): Promise<ErasedReservation | undefined> {
	const found = await tx.query<{ channel: string; channel_reservation_id: string | null; departure: string }>(
		'SELECT channel, channel_reservation_id, departure::text AS departure FROM reservations WHERE id = $1 FOR UPDATE',
		[id],
	);
	const r = found.rows[0];
	if (!r) return undefined;
	await tx.query(
		`UPDATE reservations SET guest_name = $2, guest_email = NULL, guest_phone = NULL, details = details - 'comments' - 'specialRequests',
		   guest_data_erased_at = COALESCE(guest_data_erased_at, now()), version = version + 1, updated_at = now()
		 WHERE id = $1`,
		[id, ERASED_NAME],
	);
	await tx.query('UPDATE reservation_rooms SET guest_name = NULL WHERE reservation_id = $1', [id]);
	const historyRows = await changed(tx, `UPDATE reservation_history SET snapshot = ${SCRUBBED('snapshot')} WHERE reservation_id = $1`, [id]);
	const events = await changed(
		tx,
		`UPDATE hotel_events SET payload = jsonb_set(payload, '{reservation}', ${SCRUBBED("(payload -> 'reservation')")})
		 WHERE reservation_id = $1 AND jsonb_typeof(payload -> 'reservation') = 'object'`,
		[id],
	);
	// Its own e-mails only: the same address may have a stay still to come, with e-mails still to send.
	const emails = await changed(tx, `${ERASE_EMAILS} WHERE reservation_id = $1 AND to_address <> ''`, [id]);
	// A channel message that failed intake before this reservation was taken in carries the guest too.
	const channelLogDetails = r.channel_reservation_id
		? await changed(tx, 'UPDATE channel_sync_log SET detail = NULL WHERE channel = $1 AND reservation_id = $2 AND detail IS NOT NULL', [r.channel, r.channel_reservation_id])
		: 0;
	return { reservationId: id, departure: r.departure, historyRows, events, emails, channelLogDetails };
}
