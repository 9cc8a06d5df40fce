/**
 * Reservations that exist only so payments have something to belong to: the billing ledger holds a
 * payment naming a reservation the store does not have as unmatched (billingLedger.ts), so tests of
 * payments insert the reservations they pay for. A bare row: no rooms are taken, no event is written.
 */
import type { Client } from 'pg';
import type { Queryable } from '../../lib/store/db';

export async function insertBareReservations(db: Queryable, ids: string[], guestEmail: string | null = null): Promise<void> {
	for (const id of ids) {
		await db.query(
			`INSERT INTO reservations (id, channel, status, room_type_code, arrival, departure, rooms, adults, guest_name, guest_email)
			 VALUES ($1, 'direct', 'booked', 'DBL', '2031-05-01', '2031-05-03', 1, 2, 'Test Guest', $2) ON CONFLICT (id) DO NOTHING`,
			[id, guestEmail],
		);
	}
}

/** The reservation's billing row as the payment tests read it: status, amount_paid, amount_refunded. */
export async function readBilling(sql: Client, reservationId: string) {
	return (await sql.query('SELECT status, amount_paid, amount_refunded FROM reservation_billing WHERE reservation_id = $1', [reservationId])).rows[0];
}
