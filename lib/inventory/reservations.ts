/**
 * Reservations and the rooms they hold.
 *
 * Every operation is one transaction that locks the inventory rows of the nights it touches (in
 * room type and night order, so two bookings never deadlock), changes `sold` by exactly the rooms
 * it takes or gives back, and writes the reservation with a history entry. Hence:
 *  - a booking the hotel controls (booking engine, front desk) is accepted only if every night has
 *    rooms left — 200 concurrent attempts for the last 5 rooms confirm exactly 5;
 *  - a booking a channel guarantees is always stored, and flagged overbooked when a night is short;
 *  - a modification moves rooms from the old nights to the new ones at once; a cancellation frees them;
 *  - a channel's change (channel, reservation id, version) applies once, however often it arrives.
 * After commit, listeners (cache, broadcast) hear about it.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../store/db';
import { HotelCatalog, recordChanges } from './catalog';
import { recordHotelEvent, type HotelEventName } from '../events/hotelEvents';
import { addDays, nightsOf, validateStay } from './dates';
import { HotelError, invalid } from './errors';
import { whyNotBookable, type NightRow } from './rules';

export interface GuestInput {
	name: string;
	email?: string;
	phone?: string;
}

export interface StayInput {
	roomType: string;
	ratePlan?: string;
	arrival: string;
	departure: string;
	rooms?: number;
	adults?: number;
	children?: number;
	/** Total in minor units; computed from the rate plan when omitted. */
	amount?: number;
	currency?: string;
	guest: GuestInput;
}

export type ReservationStatus = 'booked' | 'modified' | 'cancelled';

export interface Reservation {
	id: string;
	channel: string;
	channelReservationId: string | null;
	channelVersion: string | null;
	status: ReservationStatus;
	roomType: string;
	ratePlan: string | null;
	arrival: string;
	departure: string;
	rooms: number;
	adults: number;
	children: number;
	amount: number | null;
	currency: string | null;
	guest: { name: string; email: string | null; phone: string | null };
	overbooked: boolean;
	version: number;
	createdAt: string;
	updatedAt: string;
}

export interface ChannelChange {
	channel: string;
	channelReservationId: string;
	/** The channel's version of this reservation (e.g. a modification counter or timestamp). */
	channelVersion: string;
	action: 'book' | 'modify' | 'cancel';
	/** Required for book and modify. */
	stay?: StayInput;
}

export interface ReservationChange {
	action: 'created' | 'modified' | 'cancelled';
	reservation: Reservation;
	/** Nights whose availability changed, per room type. */
	nights: Array<{ roomType: string; nights: string[] }>;
}

export type ChangeListener = (change: ReservationChange) => Promise<void> | void;

const COLUMNS = `id, channel, channel_reservation_id, channel_version, status, room_type_code, rate_plan_code,
	arrival::text AS arrival, departure::text AS departure, rooms, adults, children, amount, currency,
	guest_name, guest_email, guest_phone, overbooked, version, created_at, updated_at`;

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
	version: number;
	created_at: Date | string;
	updated_at: Date | string;
}

const toReservation = (r: Row): Reservation => ({
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
	guest: { name: r.guest_name, email: r.guest_email, phone: r.guest_phone },
	overbooked: r.overbooked,
	version: r.version,
	createdAt: new Date(r.created_at).toISOString(),
	updatedAt: new Date(r.updated_at).toISOString(),
});

/** Reservation ids the hotel hands out: short, unambiguous, unguessable. */
export function newReservationId(): string {
	const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
	return `HB-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

interface ValidStay {
	roomType: string;
	ratePlan: string | null;
	arrival: string;
	departure: string;
	nights: number;
	rooms: number;
	adults: number;
	children: number;
	amount: number | null;
	currency: string | null;
	guest: { name: string; email: string | null; phone: string | null };
}

function count(value: unknown, field: string, min: number, fallback: number): number {
	const n = value === undefined || value === null || value === '' ? fallback : Number(value);
	if (!Number.isInteger(n) || n < min) throw invalid(field, `${field} must be a whole number of at least ${min}.`);
	return n;
}

function text(value: unknown, max: number): string | null {
	const t = typeof value === 'string' ? value.trim() : '';
	return t ? t.slice(0, max) : null;
}

export class ReservationBook {
	private readonly catalog: HotelCatalog;
	private readonly listeners: ChangeListener[] = [];

	constructor(
		private readonly db: Db,
		private readonly opts: { today?: () => string } = {},
	) {
		this.catalog = new HotelCatalog(db);
	}

	onChange(listener: ChangeListener): this {
		this.listeners.push(listener);
		return this;
	}

	/** A booking the hotel controls: refused (409) unless every night has rooms left. */
	async create(input: StayInput, opts: { channel?: string } = {}): Promise<Reservation> {
		const change = await this.db.transaction(async (tx) => {
			const stay = await this.validate(tx, input, { requireRatePlan: true });
			await this.take(tx, stay, { controlled: true });
			const reservation = await this.insert(tx, stay, { channel: opts.channel ?? 'booking_engine', overbooked: false });
			await this.history(tx, reservation, 'created');
			return { action: 'created' as const, reservation, nights: [{ roomType: stay.roomType, nights: nightsOf(stay.arrival, stay.departure) }] };
		});
		await this.notify(change);
		return change.reservation;
	}

	async get(id: string): Promise<Reservation> {
		const row = (await this.db.query<Row>(`SELECT ${COLUMNS} FROM reservations WHERE id = $1`, [String(id)])).rows[0];
		if (!row) throw new HotelError('not_found', `No reservation with id "${id}".`, 'id');
		return toReservation(row);
	}

	async list(q: { from?: string; to?: string; status?: ReservationStatus; channel?: string; limit?: number } = {}): Promise<Reservation[]> {
		const rows = await this.db.query<Row>(
			`SELECT ${COLUMNS} FROM reservations
			 WHERE ($1::date IS NULL OR departure > $1::date) AND ($2::date IS NULL OR arrival <= $2::date)
			   AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR channel = $4)
			 ORDER BY arrival, id LIMIT $5`,
			[q.from ?? null, q.to ?? null, q.status ?? null, q.channel ?? null, Math.min(Math.max(q.limit ?? 100, 1), 1000)],
		);
		return rows.rows.map(toReservation);
	}

	/** Changes a booking the hotel controls; new nights must have rooms left (its own count as free). */
	async update(id: string, changes: Partial<StayInput>): Promise<Reservation> {
		const change = await this.db.transaction(async (tx) => {
			const current = await this.lockReservation(tx, id);
			if (current.status === 'cancelled') throw new HotelError('conflict', `Reservation ${id} is cancelled and cannot be changed.`);
			const stay = await this.validate(tx, { ...fromReservation(current), ...changes, guest: { ...fromReservation(current).guest, ...(changes.guest ?? {}) } }, {
				requireRatePlan: true,
				keepAmount: changes.amount === undefined && sameStay(current, changes) ? current.amount : undefined,
			});
			const nights = await this.move(tx, current, stay, { controlled: true });
			const reservation = await this.rewrite(tx, current.id, stay, { status: 'modified', overbooked: false });
			await this.history(tx, reservation, 'modified');
			return { action: 'modified' as const, reservation, nights };
		});
		await this.notify(change);
		return change.reservation;
	}

	async cancel(id: string): Promise<Reservation> {
		const change = await this.db.transaction(async (tx) => {
			const current = await this.lockReservation(tx, id);
			if (current.status === 'cancelled') return undefined; // cancelling twice changes nothing
			await this.give(tx, current);
			const reservation = await this.setStatus(tx, current.id, 'cancelled');
			await this.history(tx, reservation, 'cancelled');
			return { action: 'cancelled' as const, reservation, nights: [{ roomType: current.roomType, nights: nightsOf(current.arrival, current.departure) }] };
		});
		if (!change) return this.get(id);
		await this.notify(change);
		return change.reservation;
	}

	/**
	 * A channel's booking, modification or cancellation. Guaranteed bookings are always stored (and
	 * flagged overbooked when short); a modification of an unknown booking creates it; a cancellation
	 * of an unknown booking is recorded. The same (channel, id, version) applies once.
	 */
	async applyChannelChange(c: ChannelChange): Promise<{ reservation: Reservation; applied: boolean }> {
		const channel = text(c.channel, 64);
		const channelId = text(c.channelReservationId, 128);
		const version = text(c.channelVersion, 128);
		if (!channel || !channelId || !version) throw invalid('channelReservationId', 'A channel change needs the channel, its reservation id and a version.');
		const result = await this.db.transaction(async (tx) => {
			// Changes to one channel reservation are applied one at a time, even before it exists here.
			await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify([channel, channelId])]);
			// The version row is the idempotency guard: a second delivery finds it and changes nothing.
			const fresh = await tx.query(
				`INSERT INTO applied_channel_changes (channel, channel_reservation_id, channel_version, reservation_id)
				 VALUES ($1, $2, $3, '') ON CONFLICT DO NOTHING RETURNING 1`,
				[channel, channelId, version],
			);
			const existingRow = (await tx.query<Row>(`SELECT ${COLUMNS} FROM reservations WHERE channel = $1 AND channel_reservation_id = $2 FOR UPDATE`, [channel, channelId])).rows[0];
			const existing = existingRow ? toReservation(existingRow) : undefined;
			if (fresh.rows.length === 0) {
				if (!existing) throw new HotelError('conflict', `Change ${version} of ${channel} reservation ${channelId} was applied but the reservation is missing.`);
				return { change: undefined, reservation: existing };
			}
			if (existing?.channelVersion && isOlderVersion(version, existing.channelVersion)) {
				// Delivered out of order: a newer version is already applied. Keep it; note the late one.
				await this.history(tx, existing, 'ignored-older-version', version);
				return { change: undefined, reservation: existing };
			}
			const change = await this.applyFresh(tx, c.action, { channel, channelId, version }, existing, c.stay);
			await tx.query(
				'UPDATE applied_channel_changes SET reservation_id = $4 WHERE channel = $1 AND channel_reservation_id = $2 AND channel_version = $3',
				[channel, channelId, version, change.reservation.id],
			);
			return { change, reservation: change.reservation };
		});
		if (result.change) await this.notify(result.change);
		return { reservation: result.reservation, applied: result.change !== undefined };
	}

	/** Nights where `sold` differs from what the active reservations hold (empty when all is well). */
	async soldDrift(): Promise<Array<{ roomType: string; night: string; sold: number; held: number }>> {
		const rows = await this.db.query<{ room_type_code: string; night: string; sold: number; held: string | number }>(
			`SELECT i.room_type_code, i.night::text AS night, i.sold, COALESCE(SUM(r.rooms), 0) AS held
			 FROM inventory_nights i
			 LEFT JOIN reservations r ON r.room_type_code = i.room_type_code AND r.status <> 'cancelled'
			      AND i.night >= r.arrival AND i.night < r.departure
			 GROUP BY i.room_type_code, i.night, i.sold
			 HAVING i.sold <> COALESCE(SUM(r.rooms), 0)`,
		);
		return rows.rows.map((r) => ({ roomType: r.room_type_code, night: r.night, sold: r.sold, held: Number(r.held) }));
	}

	// ---- the steps every operation is made of ----

	private async applyFresh(
		tx: Queryable,
		action: ChannelChange['action'],
		ids: { channel: string; channelId: string; version: string },
		existing: Reservation | undefined,
		stayInput: StayInput | undefined,
	): Promise<ReservationChange> {
		if (action === 'cancel') {
			if (!existing) {
				// Nothing to free: record the cancellation so staff and later changes see it.
				const stay = await this.validate(tx, stayInput ?? placeholderStay(), { channelStay: true, allowPast: true, allowUnknownRoomType: true });
				const reservation = await this.insert(tx, stay, { channel: ids.channel, channelId: ids.channelId, version: ids.version, status: 'cancelled', overbooked: false });
				await this.history(tx, reservation, 'cancelled-unknown');
				return { action: 'cancelled', reservation, nights: [] };
			}
			if (existing.status !== 'cancelled') await this.give(tx, existing);
			const reservation = await this.setStatus(tx, existing.id, 'cancelled', ids.version);
			await this.history(tx, reservation, 'cancelled', ids.version);
			return { action: 'cancelled', reservation, nights: existing.status === 'cancelled' ? [] : [{ roomType: existing.roomType, nights: nightsOf(existing.arrival, existing.departure) }] };
		}
		if (!stayInput) throw invalid('stay', `A channel ${action} needs the stay (room type, dates, guest).`);
		const stay = await this.validate(tx, stayInput, { channelStay: true, allowPast: true });
		if (!existing) {
			const overbooked = await this.take(tx, stay, { controlled: false });
			const reservation = await this.insert(tx, stay, { channel: ids.channel, channelId: ids.channelId, version: ids.version, overbooked });
			await this.history(tx, reservation, action === 'book' ? 'created' : 'created-by-modification', ids.version);
			return { action: 'created', reservation, nights: [{ roomType: stay.roomType, nights: nightsOf(stay.arrival, stay.departure) }] };
		}
		// A modification (or a re-sent booking with a new version) of a known reservation.
		const wasCancelled = existing.status === 'cancelled';
		const nights = wasCancelled ? [] : await this.move(tx, existing, stay, { controlled: false });
		const overbooked = wasCancelled ? await this.take(tx, stay, { controlled: false }) : await this.shortOn(tx, stay);
		const reservation = await this.rewrite(tx, existing.id, stay, { status: 'modified', overbooked, version: ids.version });
		await this.history(tx, reservation, 'modified', ids.version);
		return { action: 'modified', reservation, nights: wasCancelled ? [{ roomType: stay.roomType, nights: nightsOf(stay.arrival, stay.departure) }] : nights };
	}

	private async validate(
		tx: Queryable,
		input: StayInput,
		o: { requireRatePlan?: boolean; channelStay?: boolean; allowPast?: boolean; allowUnknownRoomType?: boolean; keepAmount?: number | null },
	): Promise<ValidStay> {
		if (!input || typeof input !== 'object') throw invalid('stay', 'The reservation details are missing.');
		const guestName = text(input.guest?.name, 200);
		if (!guestName) throw invalid('guest.name', 'The guest name is missing.');
		const email = text(input.guest?.email, 254);
		if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid('guest.email', `"${email}" is not an e-mail address.`);
		const roomTypeCode = text(input.roomType, 64);
		if (!roomTypeCode) throw invalid('roomType', 'The room type is missing.');
		const { arrival, departure, nights } = validateStay(input.arrival, input.departure, {
			today: o.allowPast ? '0000-01-01' : this.opts.today?.(),
		});
		const rooms = count(input.rooms, 'rooms', 1, 1);
		const adults = count(input.adults, 'adults', o.channelStay ? 0 : 1, 1);
		const children = count(input.children, 'children', 0, 0);
		let maxOccupancy = Infinity;
		if (!o.allowUnknownRoomType) maxOccupancy = (await this.catalog.requireRoomType(roomTypeCode, tx)).maxOccupancy;
		if (!o.channelStay && adults + children > maxOccupancy * rooms) {
			throw invalid('adults', `${adults + children} guests do not fit in ${rooms} room(s) of type ${roomTypeCode} (at most ${maxOccupancy} each).`);
		}
		const ratePlanCode = text(input.ratePlan, 64);
		if (o.requireRatePlan && !ratePlanCode) throw invalid('ratePlan', 'The rate plan is missing.');
		let amount = input.amount === undefined || input.amount === null ? null : count(input.amount, 'amount', 0, 0);
		let currency = text(input.currency, 3)?.toLowerCase() ?? null;
		if (ratePlanCode && !o.channelStay) {
			const plan = await this.catalog.requireRatePlan(ratePlanCode, tx);
			currency = plan.currency;
			if (o.keepAmount !== undefined && o.keepAmount !== null) amount = o.keepAmount;
			else if (amount === null) {
				const priced = (await this.catalog.prices(roomTypeCode, arrival, departure, tx)).find((p) => p.ratePlan === ratePlanCode);
				if (!priced) throw invalid('ratePlan', `Rate plan ${ratePlanCode} has no rate for every night of ${roomTypeCode} from ${arrival} to ${departure}.`);
				amount = priced.perRoom * rooms;
			}
		}
		return { roomType: roomTypeCode, ratePlan: ratePlanCode, arrival, departure, nights, rooms, adults, children, amount, currency, guest: { name: guestName, email, phone: text(input.guest?.phone, 40) } };
	}

	/** Locks the nights of these stays (room type, then night order) and returns their rows. */
	private async lock(tx: Queryable, stays: Array<{ roomType: string; arrival: string; departure: string }>, createMissing: boolean): Promise<Map<string, NightRow[]>> {
		const sorted = [...stays].sort((a, b) => (a.roomType + a.arrival).localeCompare(b.roomType + b.arrival));
		if (createMissing) {
			for (const s of sorted) {
				await tx.query(
					`INSERT INTO inventory_nights (room_type_code, night) SELECT $1, d::date FROM generate_series($2::date, $3::date - 1, interval '1 day') d
					 WHERE EXISTS (SELECT 1 FROM room_types WHERE code = $1) ON CONFLICT DO NOTHING`,
					[s.roomType, s.arrival, s.departure],
				);
			}
		}
		const result = new Map<string, NightRow[]>();
		for (const s of sorted) {
			// Rows up to the departure night: closed-to-departure lives on that row.
			const rows = await this.catalog.nights(s.roomType, s.arrival, s.departure, tx, true);
			result.set(s.roomType, [...(result.get(s.roomType) ?? []), ...rows]);
		}
		return result;
	}

	/** Takes rooms for a stay. Controlled: refuses when short. Guaranteed: takes anyway, returns whether short. */
	private async take(tx: Queryable, stay: ValidStay, o: { controlled: boolean }): Promise<boolean> {
		const rows = (await this.lock(tx, [stay], !o.controlled)).get(stay.roomType) ?? [];
		if (o.controlled) {
			const why = whyNotBookable(rows, stay, stay.rooms);
			if (why) throw new HotelError('sold_out', `Room type ${stay.roomType} cannot be booked from ${stay.arrival} to ${stay.departure}: ${why}.`);
		}
		await this.adjustSold(tx, stay.roomType, stay.arrival, stay.departure, stay.rooms);
		return this.shortOn(tx, stay);
	}

	/** Frees the rooms a reservation holds. */
	private async give(tx: Queryable, r: Reservation): Promise<void> {
		await this.lock(tx, [r], false);
		await this.adjustSold(tx, r.roomType, r.arrival, r.departure, -r.rooms);
	}

	/** Moves a reservation's rooms to a new stay in one step; returns the nights whose availability changed. */
	private async move(tx: Queryable, from: Reservation, to: ValidStay, o: { controlled: boolean }) {
		await this.lock(tx, [from, to], !o.controlled);
		await this.adjustSold(tx, from.roomType, from.arrival, from.departure, -from.rooms);
		if (o.controlled) {
			// Re-read: the rows now count this reservation's own rooms as free.
			const rows = await this.catalog.nights(to.roomType, to.arrival, to.departure, tx);
			const why = whyNotBookable(rows, to, to.rooms);
			if (why) throw new HotelError('sold_out', `Room type ${to.roomType} cannot be booked from ${to.arrival} to ${to.departure}: ${why}.`);
		}
		await this.adjustSold(tx, to.roomType, to.arrival, to.departure, to.rooms);
		const nights = new Map<string, Set<string>>();
		for (const s of [from, to]) for (const n of nightsOf(s.arrival, s.departure)) nights.set(s.roomType, (nights.get(s.roomType) ?? new Set()).add(n));
		return [...nights].map(([roomType, set]) => ({ roomType, nights: [...set].sort() }));
	}

	private async adjustSold(tx: Queryable, roomType: string, arrival: string, departure: string, delta: number) {
		await tx.query(
			'UPDATE inventory_nights SET sold = GREATEST(sold + $4, 0) WHERE room_type_code = $1 AND night >= $2::date AND night < $3::date',
			[roomType, arrival, departure, delta],
		);
		await recordChanges(tx, roomType, null, arrival, addDays(departure, -1), 'availability');
	}

	private async shortOn(tx: Queryable, stay: ValidStay): Promise<boolean> {
		const short = await tx.query(
			`SELECT 1 FROM inventory_nights WHERE room_type_code = $1 AND night >= $2::date AND night < $3::date AND sold > allotment LIMIT 1`,
			[stay.roomType, stay.arrival, stay.departure],
		);
		const rows = await tx.query<{ n: string | number }>(
			'SELECT count(*) AS n FROM inventory_nights WHERE room_type_code = $1 AND night >= $2::date AND night < $3::date',
			[stay.roomType, stay.arrival, stay.departure],
		);
		return short.rows.length > 0 || Number(rows.rows[0].n) < stay.nights;
	}

	private async lockReservation(tx: Queryable, id: string): Promise<Reservation> {
		const row = (await tx.query<Row>(`SELECT ${COLUMNS} FROM reservations WHERE id = $1 FOR UPDATE`, [String(id)])).rows[0];
		if (!row) throw new HotelError('not_found', `No reservation with id "${id}".`, 'id');
		return toReservation(row);
	}

	private async insert(
		tx: Queryable,
		s: ValidStay,
		o: { channel: string; channelId?: string; version?: string; status?: ReservationStatus; overbooked: boolean },
	): Promise<Reservation> {
		const row = (
			await tx.query<Row>(
				`INSERT INTO reservations (id, channel, channel_reservation_id, channel_version, status, room_type_code, rate_plan_code,
				   arrival, departure, rooms, adults, children, amount, currency, guest_name, guest_email, guest_phone, overbooked)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
				 RETURNING ${COLUMNS}`,
				[newReservationId(), o.channel, o.channelId ?? null, o.version ?? null, o.status ?? 'booked', s.roomType, s.ratePlan, s.arrival, s.departure,
					s.rooms, s.adults, s.children, s.amount, s.currency, s.guest.name, s.guest.email, s.guest.phone, o.overbooked],
			)
		).rows[0];
		return toReservation(row);
	}

	private async rewrite(tx: Queryable, id: string, s: ValidStay, o: { status: ReservationStatus; overbooked: boolean; version?: string }): Promise<Reservation> {
		const row = (
			await tx.query<Row>(
				`UPDATE reservations SET status = $2, room_type_code = $3, rate_plan_code = $4, arrival = $5, departure = $6, rooms = $7,
				   adults = $8, children = $9, amount = $10, currency = $11, guest_name = $12, guest_email = $13, guest_phone = $14,
				   overbooked = $15, channel_version = COALESCE($16, channel_version), version = version + 1, updated_at = now()
				 WHERE id = $1 RETURNING ${COLUMNS}`,
				[id, o.status, s.roomType, s.ratePlan, s.arrival, s.departure, s.rooms, s.adults, s.children, s.amount, s.currency,
					s.guest.name, s.guest.email, s.guest.phone, o.overbooked, o.version ?? null],
			)
		).rows[0];
		return toReservation(row);
	}

	private async setStatus(tx: Queryable, id: string, status: ReservationStatus, version?: string): Promise<Reservation> {
		const row = (
			await tx.query<Row>(
				`UPDATE reservations SET status = $2, overbooked = false, channel_version = COALESCE($3, channel_version), version = version + 1, updated_at = now()
				 WHERE id = $1 RETURNING ${COLUMNS}`,
				[id, status, version ?? null],
			)
		).rows[0];
		return toReservation(row);
	}

	private async history(tx: Queryable, r: Reservation, action: string, channelVersion?: string) {
		await tx.query(
			'INSERT INTO reservation_history (reservation_id, version, action, channel_version, snapshot) VALUES ($1, $2, $3, $4, $5)',
			[r.id, r.version, action, channelVersion ?? null, JSON.stringify(r)],
		);
		// Guests and staff hear of real changes; an older version ignored, or the cancellation of a
		// booking we never had (no guest to tell), are history only.
		const event = EVENT_OF_ACTION[action];
		if (event) await recordHotelEvent(tx, event, r.id, { reservation: r });
	}

	private async notify(change: ReservationChange) {
		for (const listener of this.listeners) await listener(change);
	}
}

const EVENT_OF_ACTION: Record<string, HotelEventName | undefined> = {
	created: 'reservation.created',
	'created-by-modification': 'reservation.created',
	modified: 'reservation.modified',
	cancelled: 'reservation.cancelled',
};

/** The reservation as stored now, or undefined (e.g. a payment for a reservation kept elsewhere). */
export async function findReservation(q: Queryable, id: string): Promise<Reservation | undefined> {
	const row = (await q.query<Row>(`SELECT ${COLUMNS} FROM reservations WHERE id = $1`, [String(id)])).rows[0];
	return row ? toReservation(row) : undefined;
}

/** Channels number versions or stamp them with times; anything else cannot be ordered and is applied as it comes. */
export function isOlderVersion(incoming: string, applied: string): boolean {
	if (/^\d+$/.test(incoming) && /^\d+$/.test(applied)) return BigInt(incoming) < BigInt(applied);
	const a = Date.parse(incoming);
	const b = Date.parse(applied);
	if (!Number.isNaN(a) && !Number.isNaN(b) && /\d{4}-\d{2}-\d{2}/.test(incoming) && /\d{4}-\d{2}-\d{2}/.test(applied)) return a < b;
	return false;
}

function fromReservation(r: Reservation): StayInput {
	return {
		roomType: r.roomType,
		ratePlan: r.ratePlan ?? undefined,
		arrival: r.arrival,
		departure: r.departure,
		rooms: r.rooms,
		adults: r.adults,
		children: r.children,
		guest: { name: r.guest.name, email: r.guest.email ?? undefined, phone: r.guest.phone ?? undefined },
	};
}

function sameStay(r: Reservation, changes: Partial<StayInput>): boolean {
	return ['roomType', 'ratePlan', 'arrival', 'departure', 'rooms'].every((k) => changes[k as keyof StayInput] === undefined || changes[k as keyof StayInput] === r[k as keyof Reservation]);
}

/** A cancellation for a booking we never saw carries no stay; keep what we can. */
function placeholderStay(): StayInput {
	const d = new Date().toISOString().slice(0, 10);
	return { roomType: 'unknown', arrival: d, departure: addDays(d, 1), guest: { name: 'unknown (cancelled before it was received)' } };
}
