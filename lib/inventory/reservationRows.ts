/**
 * Reservations in the database: the `reservations` row (the reservation, with summary columns) and
 * its `reservation_rooms` rows (one per room line), read together in one query and written
 * together in one transaction. Nothing here decides anything: validation and room accounting live
 * in reservationStays.ts and roomAccounting.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db';
import type { PaymentModel, Reservation, ReservationRoom, ReservationStatus } from './reservationTypes';

/** A room, validated and ready to be written (see reservationStays.ts): a room as the store hands it out. */
export type ValidRoom = ReservationRoom;

/** A reservation, validated and ready to be written (see reservationStays.ts). */
export type ValidReservation = Pick<Reservation, 'amount' | 'currency' | 'taxes' | 'commission' | 'paymentModel' | 'comments' | 'specialRequests' | 'guest'> & {
	rooms: ValidRoom[];
};

const SELECT = `SELECT r.id, r.channel, r.channel_reservation_id, r.channel_version, r.status, r.room_type_code, r.rate_plan_code,
	r.arrival::text AS arrival, r.departure::text AS departure, r.rooms, r.adults, r.children, r.amount::float8 AS amount, r.currency,
	r.guest_name, r.guest_email, r.guest_phone, r.overbooked, r.details, r.version, r.created_at, r.updated_at,
	COALESCE((SELECT json_agg(json_build_object(
		'key', l.room_key, 'status', l.status, 'roomType', l.room_type_code, 'ratePlan', l.rate_plan_code,
		'arrival', l.arrival::text, 'departure', l.departure::text, 'units', l.units, 'adults', l.adults, 'children', l.children,
		'childAges', l.child_ages, 'guestName', l.guest_name, 'amount', l.amount::float8, 'taxes', l.taxes::float8, 'currency', l.currency,
		'nightly', l.nightly, 'overbooked', l.overbooked) ORDER BY l.line)
		FROM reservation_rooms l WHERE l.reservation_id = r.id), '[]') AS room_stays
	FROM reservations r`;

interface Row {
	id: string;
	channel: string;
	channel_reservation_id: string | null;
	channel_version: string | null;
	status: ReservationStatus;
	room_type_code: string;
	rate_plan_code: string | null;
	arrival: string;
	departure: string;
	rooms: number;
	adults: number;
	children: number;
	amount: number | null;
	currency: string | null;
	guest_name: string;
	guest_email: string | null;
	guest_phone: string | null;
	overbooked: boolean;
	details: Details | string | null;
	version: number;
	created_at: Date | string;
	updated_at: Date | string;
	room_stays: ReservationRoom[] | string;
}

/** What a reservation carries beyond its rooms and guest, kept as one JSON column. */
interface Details {
	taxes?: number | null;
	commission?: number | null;
	paymentModel?: PaymentModel | null;
	comments?: string[];
	specialRequests?: string[];
}

const json = <T>(value: T | string | null): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

function toReservation(r: Row): Reservation {
	const details = json<Details>(r.details) ?? {};
	return {
		id: r.id,
		channel: r.channel,
		channelReservationId: r.channel_reservation_id,
		channelVersion: r.channel_version,
		status: r.status,
		roomType: r.room_type_code,
		ratePlan: r.rate_plan_code,
		arrival: r.arrival,
		departure: r.departure,
		rooms: r.rooms,
		adults: r.adults,
		children: r.children,
		amount: r.amount,
		currency: r.currency,
		taxes: details.taxes ?? null,
		commission: details.commission ?? null,
		paymentModel: details.paymentModel ?? null,
		comments: details.comments ?? [],
		specialRequests: details.specialRequests ?? [],
		guest: { name: r.guest_name, email: r.guest_email, phone: r.guest_phone },
		overbooked: r.overbooked,
		roomStays: (json<ReservationRoom[]>(r.room_stays) ?? []).map((room) => ({ ...room, childAges: room.childAges ?? [], nightly: room.nightly ?? [] })),
		version: r.version,
		createdAt: new Date(r.created_at).toISOString(),
		updatedAt: new Date(r.updated_at).toISOString(),
	};
}

/** Reservations matching `where` (with $n parameters), optionally locked. */
export async function selectReservations(
	q: Queryable,
	where: string,
	params: unknown[],
	opts: { lock?: boolean; order?: string; limit?: string } = {},
): Promise<Reservation[]> {
	const order = opts.order ? ` ORDER BY ${opts.order}` : '';
	const limit = opts.limit ? ` LIMIT ${opts.limit}` : '';
	// Lock first, then read in a statement of its own: a statement that waited for the row lock sees
	// the newest reservation row but its subquery (the rooms) still reads the older snapshot, so a
	// read in the same statement could hand out rooms another transaction has just changed.
	if (opts.lock) await q.query(`SELECT r.id FROM reservations r WHERE ${where}${order}${limit} FOR UPDATE`, params);
	const rows = await q.query<Row>(`${SELECT} WHERE ${where}${order}${limit}`, params);
	return rows.rows.map(toReservation);
}

/** The reservation as stored now, or undefined (e.g. a payment for a reservation kept elsewhere). */
export async function findReservation(q: Queryable, id: string, opts: { lock?: boolean } = {}): Promise<Reservation | undefined> {
	return (await selectReservations(q, 'r.id = $1', [String(id)], opts))[0];
}

/** Whether the store has the reservation, without loading it (its rooms, history and JSON). */
export async function reservationExists(q: Queryable, id: string): Promise<boolean> {
	return (await q.query('SELECT 1 FROM reservations WHERE id = $1', [String(id)])).rows.length > 0;
}

/** Reservation ids the hotel hands out: short, unambiguous, unguessable. */
export function newReservationId(): string {
	const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
	return `HB-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** The summary columns: the active rooms' (all rooms' when none is active, e.g. a cancelled placeholder). */
function summary(v: ValidReservation) {
	const active = v.rooms.filter((room) => room.status === 'active');
	const rooms = active.length > 0 ? active : v.rooms;
	const first = rooms[0];
	return {
		roomType: first.roomType,
		ratePlan: first.ratePlan,
		arrival: rooms.map((room) => room.arrival).reduce((a, b) => (b < a ? b : a)),
		departure: rooms.map((room) => room.departure).reduce((a, b) => (b > a ? b : a)),
		rooms: rooms.reduce((sum, room) => sum + room.units, 0),
		adults: rooms.reduce((sum, room) => sum + room.adults, 0),
		children: rooms.reduce((sum, room) => sum + room.children, 0),
		overbooked: v.rooms.some((room) => room.status === 'active' && room.overbooked),
	};
}

function detailsOf(v: ValidReservation): string {
	const details: Details = {
		taxes: v.taxes,
		commission: v.commission,
		paymentModel: v.paymentModel,
		comments: v.comments,
		specialRequests: v.specialRequests,
	};
	return JSON.stringify(details);
}

export async function insertReservation(
	tx: Queryable,
	v: ValidReservation,
	o: { channel: string; channelId?: string; version?: string; status?: ReservationStatus },
): Promise<Reservation> {
	const s = summary(v);
	const id = newReservationId();
	await tx.query(
		`INSERT INTO reservations (id, channel, channel_reservation_id, channel_version, status, room_type_code, rate_plan_code,
		   arrival, departure, rooms, adults, children, amount, currency, guest_name, guest_email, guest_phone, overbooked, details)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		[id, o.channel, o.channelId ?? null, o.version ?? null, o.status ?? 'booked', s.roomType, s.ratePlan, s.arrival, s.departure,
			s.rooms, s.adults, s.children, v.amount, v.currency, v.guest.name, v.guest.email, v.guest.phone, s.overbooked, detailsOf(v)],
	);
	await writeRooms(tx, id, v.rooms);
	return (await findReservation(tx, id))!;
}

export async function rewriteReservation(tx: Queryable, id: string, v: ValidReservation, o: { status: ReservationStatus; version?: string }): Promise<Reservation> {
	const s = summary(v);
	await tx.query(
		`UPDATE reservations SET status = $2, room_type_code = $3, rate_plan_code = $4, arrival = $5, departure = $6, rooms = $7,
		   adults = $8, children = $9, amount = $10, currency = $11, guest_name = $12, guest_email = $13, guest_phone = $14,
		   overbooked = $15, details = $16, channel_version = COALESCE($17, channel_version), version = version + 1, updated_at = now()
		 WHERE id = $1`,
		[id, o.status, s.roomType, s.ratePlan, s.arrival, s.departure, s.rooms, s.adults, s.children, v.amount, v.currency,
			v.guest.name, v.guest.email, v.guest.phone, s.overbooked, detailsOf(v), o.version ?? null],
	);
	await tx.query('DELETE FROM reservation_rooms WHERE reservation_id = $1', [id]);
	await writeRooms(tx, id, v.rooms);
	return (await findReservation(tx, id))!;
}

export async function setReservationStatus(tx: Queryable, id: string, status: ReservationStatus, version?: string): Promise<Reservation> {
	await tx.query(
		`UPDATE reservations SET status = $2, overbooked = false, channel_version = COALESCE($3, channel_version), version = version + 1, updated_at = now()
		 WHERE id = $1`,
		[id, status, version ?? null],
	);
	return (await findReservation(tx, id))!;
}

/** All the rooms in one INSERT: one round trip per reservation, not one per room. */
async function writeRooms(tx: Queryable, id: string, rooms: ValidRoom[]): Promise<void> {
	if (rooms.length === 0) return;
	const COLUMNS = 18;
	const rows = rooms.map((_, index) => `(${Array.from({ length: COLUMNS }, (__, column) => `$${index * COLUMNS + column + 1}`).join(', ')})`);
	const values = rooms.flatMap((room, index) => [
		id, index + 1, room.key, room.status, room.roomType, room.ratePlan, room.arrival, room.departure, room.units, room.adults, room.children,
		JSON.stringify(room.childAges), room.guestName, room.amount, room.taxes, room.currency, JSON.stringify(room.nightly), room.overbooked,
	]);
	await tx.query(
		`INSERT INTO reservation_rooms (reservation_id, line, room_key, status, room_type_code, rate_plan_code, arrival, departure, units,
		   adults, children, child_ages, guest_name, amount, taxes, currency, nightly, overbooked)
		 VALUES ${rows.join(', ')}`,
		values,
	);
}

/** A history entry: the reservation as it is after the change. */
export async function writeHistory(tx: Queryable, r: Reservation, action: string, channelVersion?: string): Promise<void> {
	await tx.query('INSERT INTO reservation_history (reservation_id, version, action, channel_version, snapshot) VALUES ($1, $2, $3, $4, $5)', [
		r.id,
		r.version,
		action,
		channelVersion ?? null,
		JSON.stringify(r),
	]);
}
