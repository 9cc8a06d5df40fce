/**
 * The calendar's catch-up: the hotel's store is the truth, and the calendar converges to it. Each
 * run syncs, in the order they changed, the reservations whose current version the calendar has
 * not been shown (calendar_sync_state), and records each version once it is written. A calendar
 * that was down, a credential that was wrong, a workflow that was off: whatever events were missed,
 * the next run after the calendar answers again puts every stay right.
 *
 * Stays that ended more than `pastDays` ago are left as they are (nobody plans with them). A run
 * stops at the first failure (the calendar is down: no point in trying the rest now) and reports
 * it; what was synced before it is recorded.
 */
import { findReservation } from '../inventory/reservationRows';
import { addDays, today } from '../inventory/dates';
import type { Db } from '../store/db';
import type { CalendarClient } from './client';
import type { StayTimes } from './events';
import { syncReservation, type SyncResult } from './sync';

export interface CatchUpReport {
	/** Reservations synced this run, in order: id, version, what was done. */
	synced: Array<{ reservationId: string; version: number; action: SyncResult['action'] }>;
	/** Still behind after this run (over the limit, or after a failure). */
	remaining: number;
	/** The failure that stopped the run, if one did. */
	failed?: { reservationId: string; error: string };
}

export async function syncReservationsBehind(
	client: CalendarClient,
	db: Db,
	opts: { calendar: string; calendarId: string; times: StayTimes; limit: number; pastDays: number },
): Promise<CatchUpReport> {
	const behind = await db.query<{ id: string }>(
		`SELECT r.id FROM reservations r
		 LEFT JOIN calendar_sync_state s ON s.calendar = $1 AND s.reservation_id = r.id
		 WHERE (s.version IS NULL OR s.version < r.version) AND r.departure >= $2::date
		 ORDER BY r.updated_at, r.id`,
		[opts.calendar, addDays(today(), -opts.pastDays)],
	);
	const report: CatchUpReport = { synced: [], remaining: behind.rows.length };
	for (const { id } of behind.rows.slice(0, opts.limit)) {
		const reservation = await findReservation(db, id);
		if (!reservation) continue; // gone since the query
		try {
			const change = reservation.status === 'cancelled' ? 'cancelled' : 'modified'; // 'modified' creates a missing event
			const result = await syncReservation(client, opts.calendarId, reservation, change, opts.times);
			await db.query(
				`INSERT INTO calendar_sync_state (calendar, reservation_id, version) VALUES ($1, $2, $3)
				 ON CONFLICT (calendar, reservation_id) DO UPDATE SET version = GREATEST(calendar_sync_state.version, EXCLUDED.version), synced_at = now()`,
				[opts.calendar, reservation.id, reservation.version],
			);
			report.synced.push({ reservationId: reservation.id, version: reservation.version, action: result.action });
			report.remaining--;
		} catch (error) {
			report.failed = { reservationId: reservation.id, error: (error as Error).message };
			break;
		}
	}
	return report;
}
