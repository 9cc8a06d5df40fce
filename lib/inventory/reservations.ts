/**
 * Reservations and the rooms they hold.
 *
 * Every operation is one transaction that locks the inventory rows of the nights it touches (room
 * type by room type, night order, so two bookings never deadlock), changes `sold` by exactly the
 * rooms it takes or gives back (roomAccounting.ts), and writes the reservation with a history
 * entry. Hence:
 *  - a booking the hotel controls (booking engine, front desk) is accepted only if every night of
 *    every room has rooms left — 200 concurrent attempts for the last 5 rooms confirm exactly 5;
 *  - a booking a channel guarantees is always stored, and each room flagged overbooked when a night is short;
 *  - a modification moves only the rooms that changed; a cancellation (of the reservation, or of one room) frees them;
 *  - a channel's change (channel, reservation id, version) applies once, however often it arrives.
 * After commit, listeners (cache, broadcast) hear about it.
 *
 * Types: reservationTypes.ts; validation and pricing: reservationStays.ts; rows: reservationRows.ts;
 * rooms sold and given back: roomAccounting.ts; a channel's change applied once: channelChanges.ts.
 */
import type { Db, Queryable } from '../store/db';
import { HotelCatalog } from './catalog';
import { recordHotelEvent, type HotelEventName } from '../events/hotelEvents';
import { addDays } from './dates';
import { HotelError, invalid } from '../errors';
import { findReservation, insertReservation, rewriteReservation, selectReservations, setReservationStatus, writeHistory } from './reservationRows';
import type { ValidReservation } from './reservationRows';
import { text, validateReservation, type StayRules } from './reservationStays';
import type { ChangeListener, ChannelChange, Reservation, ReservationChange, ReservationStatus, RoomInput, StayInput } from './reservationTypes';
import { holdingsOf, moveRooms, soldOutRefusal } from './roomAccounting';
import { claimChannelChange, judgeChannelChange, recordChannelChange } from './channelChanges';

export type * from './reservationTypes';
export { findReservation } from './reservationRows';

export class ReservationBook {
	private readonly listeners: ChangeListener[] = [];
	private readonly catalog: HotelCatalog;

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

	/** A booking the hotel controls: refused (409) unless every night of every room has rooms left. */
	async create(input: StayInput, opts: { channel?: string } = {}): Promise<Reservation> {
		const change = await this.db.transaction(async (tx) => {
			const valid = await validateReservation(tx, this.catalog, input, this.rules({ controlled: true }));
			const moved = await moveRooms(tx, this.catalog, [], active(valid), { controlled: true });
			const reservation = await insertReservation(tx, valid, { channel: opts.channel ?? 'booking_engine' });
			await this.history(tx, reservation, 'created');
			return { action: 'created' as const, reservation, nights: moved.nights };
		});
		await this.notify(change);
		return change.reservation;
	}

	/**
	 * Would create() refuse this booking as sold out right now? create()'s own checks on the rows as
	 * they are, read without locks: the sold_out error create() would throw, or undefined (bookable,
	 * or refused for another reason, which create() reports itself). Cheap enough for every booking
	 * of a burst; only create() sells a room, so a booking found bookable here may still be refused.
	 */
	async soldOutNow(input: StayInput): Promise<HotelError | undefined> {
		let rooms;
		try {
			rooms = active(await validateReservation(this.db, this.catalog, input, this.rules({ controlled: true })));
		} catch (error) {
			if (error instanceof HotelError) return undefined;
			throw error;
		}
		for (const h of rooms) {
			// As create() sees them after its move: every room of this booking on the night counted as sold.
			const rows = (await this.catalog.nights(h.roomType, h.arrival, h.departure)).map((row) => ({
				...row,
				sold: row.sold + rooms.filter((o) => o.roomType === h.roomType && o.arrival <= row.night && row.night < o.departure).reduce((n, o) => n + o.units, 0),
			}));
			const refusal = soldOutRefusal(rows, h);
			if (refusal) return refusal;
		}
		return undefined;
	}

	async get(id: string): Promise<Reservation> {
		const reservation = await findReservation(this.db, id);
		if (!reservation) throw new HotelError('not_found', `No reservation with id "${id}".`, 'id');
		return reservation;
	}

	async list(q: { from?: string; to?: string; status?: ReservationStatus; channel?: string; limit?: number } = {}): Promise<Reservation[]> {
		return selectReservations(
			this.db,
			`($1::date IS NULL OR r.departure > $1::date) AND ($2::date IS NULL OR r.arrival <= $2::date)
			 AND ($3::text IS NULL OR r.status = $3) AND ($4::text IS NULL OR r.channel = $4)`,
			[q.from ?? null, q.to ?? null, q.status ?? null, q.channel ?? null, Math.min(Math.max(q.limit ?? 100, 1), 1000)],
			{ order: 'r.arrival, r.id', limit: '$5' },
		);
	}

	/**
	 * Changes a booking the hotel controls; rooms added or moved must have rooms left (its own count
	 * as free). The one-room form changes the one room; `roomStays` replaces the rooms.
	 */
	async update(id: string, changes: Partial<StayInput>): Promise<Reservation> {
		const change = await this.db.transaction(async (tx) => {
			const current = await this.lockReservation(tx, id);
			if (current.status === 'cancelled') throw new HotelError('conflict', `Reservation ${id} is cancelled and cannot be changed.`);
			const valid = await validateReservation(tx, this.catalog, mergeChanges(current, changes), this.rules({ controlled: true, current }));
			const moved = await moveRooms(tx, this.catalog, holdingsOf(current), active(valid), { controlled: true });
			const reservation = await rewriteReservation(tx, current.id, valid, { status: 'modified' });
			await this.history(tx, reservation, 'modified');
			return { action: 'modified' as const, reservation, nights: moved.nights };
		});
		await this.notify(change);
		return change.reservation;
	}

	async cancel(id: string): Promise<Reservation> {
		const change = await this.db.transaction(async (tx) => {
			const current = await this.lockReservation(tx, id);
			if (current.status === 'cancelled') return undefined; // cancelling twice changes nothing
			const moved = await moveRooms(tx, this.catalog, holdingsOf(current), [], { controlled: false });
			const reservation = await setReservationStatus(tx, current.id, 'cancelled');
			await this.history(tx, reservation, 'cancelled');
			return { action: 'cancelled' as const, reservation, nights: moved.nights };
		});
		if (!change) return this.get(id);
		await this.notify(change);
		return change.reservation;
	}

	/**
	 * A channel's booking, modification or cancellation. Guaranteed bookings are always stored (and
	 * flagged overbooked when short); a modification of an unknown booking creates it; a cancellation
	 * of an unknown booking is recorded. The same (channel, id, version) applies once (channelChanges.ts).
	 */
	async applyChannelChange(c: ChannelChange): Promise<{ reservation: Reservation; applied: boolean }> {
		const channel = text(c.channel, 64);
		const channelId = text(c.channelReservationId, 128);
		const version = text(c.channelVersion, 128);
		if (!channel || !channelId || !version) throw invalid('channelReservationId', 'A channel change needs the channel, its reservation id and a version.');
		const ids = { channel, channelId, version };
		const result = await this.db.transaction(async (tx) => {
			const fresh = await claimChannelChange(tx, ids);
			const [existing] = await selectReservations(tx, 'r.channel = $1 AND r.channel_reservation_id = $2', [channel, channelId], { lock: true });
			const verdict = judgeChannelChange(ids, fresh, existing, c.action);
			if (!verdict.apply) {
				if (verdict.history) await this.history(tx, verdict.reservation, verdict.history, version);
				return { change: undefined, reservation: verdict.reservation };
			}
			const change = await this.applyFresh(tx, c.action, ids, existing, c.stay);
			await recordChannelChange(tx, ids, change.reservation.id);
			return { change, reservation: change.reservation };
		});
		if (result.change) await this.notify(result.change);
		return { reservation: result.reservation, applied: result.change !== undefined };
	}

	/** Nights where `sold` differs from what the active rooms of active reservations hold (empty when all is well). */
	async soldDrift(): Promise<Array<{ roomType: string; night: string; sold: number; held: number }>> {
		const rows = await this.db.query<{ room_type_code: string; night: string; sold: number; held: string | number }>(
			`SELECT i.room_type_code, i.night::text AS night, i.sold, COALESCE(SUM(l.units), 0) AS held
			 FROM inventory_nights i
			 LEFT JOIN (reservation_rooms l JOIN reservations r ON r.id = l.reservation_id AND r.status <> 'cancelled')
			      ON l.room_type_code = i.room_type_code AND l.status = 'active' AND i.night >= l.arrival AND i.night < l.departure
			 GROUP BY i.room_type_code, i.night, i.sold
			 HAVING i.sold <> COALESCE(SUM(l.units), 0)`,
		);
		return rows.rows.map((r) => ({ roomType: r.room_type_code, night: r.night, sold: r.sold, held: Number(r.held) }));
	}

	// ---- the steps every operation is made of ----

	private rules(o: Omit<StayRules, 'today'>): StayRules {
		return { ...o, today: this.opts.today?.() };
	}

	private async applyFresh(
		tx: Queryable,
		action: ChannelChange['action'],
		ids: { channel: string; channelId: string; version: string },
		existing: Reservation | undefined,
		stayInput: StayInput | undefined,
	): Promise<ReservationChange> {
		const guaranteed = { controlled: false, allowPast: true };
		if (action === 'cancel') {
			if (!existing) {
				// Nothing to free: record the cancellation so staff and later changes see it.
				const valid = await validateReservation(tx, this.catalog, withPlaceholderRoom(stayInput), { ...guaranteed, allowUnknownRoomType: true });
				const reservation = await insertReservation(tx, valid, { channel: ids.channel, channelId: ids.channelId, version: ids.version, status: 'cancelled' });
				await this.history(tx, reservation, 'cancelled-unknown');
				return { action: 'cancelled', reservation, nights: [] };
			}
			const moved = await moveRooms(tx, this.catalog, holdingsOf(existing), [], { controlled: false });
			const reservation = await setReservationStatus(tx, existing.id, 'cancelled', ids.version);
			await this.history(tx, reservation, 'cancelled', ids.version);
			return { action: 'cancelled', reservation, nights: moved.nights };
		}
		if (!stayInput) throw invalid('stay', `A channel ${action} needs the stay (room type, dates, guest).`);
		const valid = await validateReservation(tx, this.catalog, stayInput, guaranteed);
		const moved = await moveRooms(tx, this.catalog, existing ? holdingsOf(existing) : [], active(valid), { controlled: false });
		markOverbooked(valid, moved.overbooked);
		// A modification whose every room the channel cancelled is a cancellation of the reservation.
		const status: ReservationStatus = valid.rooms.some((room) => room.status === 'active') ? (existing ? 'modified' : 'booked') : 'cancelled';
		if (!existing) {
			const reservation = await insertReservation(tx, valid, { channel: ids.channel, channelId: ids.channelId, version: ids.version, status });
			await this.history(tx, reservation, status === 'cancelled' ? 'cancelled-unknown' : action === 'book' ? 'created' : 'created-by-modification', ids.version);
			return { action: status === 'cancelled' ? 'cancelled' : 'created', reservation, nights: moved.nights };
		}
		// A modification (or a re-sent booking with a new version) of a known reservation.
		const reservation = await rewriteReservation(tx, existing.id, valid, { status, version: ids.version });
		await this.history(tx, reservation, status === 'cancelled' ? 'cancelled' : 'modified', ids.version);
		return { action: status === 'cancelled' ? 'cancelled' : 'modified', reservation, nights: moved.nights };
	}

	private async lockReservation(tx: Queryable, id: string): Promise<Reservation> {
		const reservation = await findReservation(tx, id, { lock: true });
		if (!reservation) throw new HotelError('not_found', `No reservation with id "${id}".`, 'id');
		return reservation;
	}

	private async history(tx: Queryable, r: Reservation, action: string, channelVersion?: string) {
		await writeHistory(tx, r, action, channelVersion);
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

/** The rooms a valid reservation will hold. */
function active(valid: ValidReservation) {
	return valid.rooms.filter((room) => room.status === 'active');
}

/** Flags each active room that landed on a short night (moveRooms reports them in the same order). */
function markOverbooked(valid: ValidReservation, flags: boolean[]): void {
	active(valid).forEach((room, i) => (room.overbooked = flags[i] ?? false));
}

/**
 * A change to a hotel-controlled booking as the whole new reservation. `roomStays` replaces the
 * rooms; the one-room fields change a one-room booking, and on a multi-room booking only the
 * dates (moving every room that had the reservation's dates) — which room would "roomType" mean?
 */
function mergeChanges(current: Reservation, changes: Partial<StayInput>): StayInput {
	const guest = { name: current.guest.name, email: current.guest.email ?? undefined, phone: current.guest.phone ?? undefined, ...(changes.guest ?? {}) };
	const base = { guest, comments: current.comments, specialRequests: current.specialRequests, paymentModel: current.paymentModel ?? undefined };
	const rooms = current.roomStays.filter((room) => room.status === 'active');
	if (Array.isArray(changes.roomStays) && changes.roomStays.length > 0) return { ...base, ...changes, guest };
	const perRoom = (['roomType', 'ratePlan', 'rooms', 'adults', 'children'] as const).filter((k) => changes[k] !== undefined);
	if (rooms.length > 1 && perRoom.length > 0) {
		throw invalid(perRoom[0], `Reservation ${current.id} has ${rooms.length} rooms: change them with roomStays (a list of rooms), not ${perRoom.join(', ')}.`);
	}
	const newDates = changes.arrival !== undefined || changes.departure !== undefined;
	if (rooms.length > 1 && newDates && rooms.some((room) => room.arrival !== current.arrival || room.departure !== current.departure)) {
		throw invalid(changes.arrival !== undefined ? 'arrival' : 'departure', `The rooms of reservation ${current.id} have different dates: give each room its dates in roomStays.`);
	}
	const roomStays: RoomInput[] = rooms.map((room) => ({
		key: room.key,
		roomType: changes.roomType ?? room.roomType,
		ratePlan: changes.ratePlan ?? room.ratePlan ?? undefined,
		arrival: changes.arrival ?? room.arrival,
		departure: changes.departure ?? room.departure,
		units: changes.rooms ?? room.units,
		adults: changes.adults ?? room.adults,
		children: changes.children ?? room.children,
		childAges: room.childAges,
		guestName: room.guestName ?? undefined,
		amount: rooms.length === 1 ? changes.amount : undefined,
	}));
	return { ...base, roomStays, amount: rooms.length === 1 ? undefined : changes.amount };
}

/** A cancellation for a booking we never saw carries no room we know; keep what we can. */
function withPlaceholderRoom(input: StayInput | undefined): StayInput {
	const d = new Date().toISOString().slice(0, 10);
	const arrival = input?.arrival ?? d;
	const departure = input?.departure && input.departure > arrival ? input.departure : addDays(arrival, 1);
	const rooms = input?.roomStays?.length ? input.roomStays : [{ roomType: input?.roomType || 'unknown' }];
	return {
		...(input ?? {}),
		arrival,
		departure,
		roomStays: rooms.map((room) => ({ ...room, roomType: room.roomType || 'unknown' })),
		guest: { ...(input?.guest ?? {}), name: input?.guest?.name || 'unknown (cancelled before it was received)' },
	};
}
