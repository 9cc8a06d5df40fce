/**
 * Rooms taken and given back, per room type and night. Every change of a reservation (a booking,
 * a modification, a cancellation, one room of several changed) is one step from the rooms it held
 * to the rooms it holds now: only the difference moves, so changing one room of a multi-room
 * booking moves exactly that room's nights and leaves the others' untouched.
 *
 * Lock order: the inventory rows of every room type involved, room type by room type in code
 * order, each over one date range, so two reservations never wait for each other in a cycle.
 * Hotel-controlled changes are refused when a night they add to has no room left; channel-
 * guaranteed ones are taken anyway and their rooms flagged overbooked.
 */
import type { Queryable } from '../store/db';
import { recordChanges, type HotelCatalog } from './catalog';
import { addDays, nightsOf } from './dates';
import { HotelError } from '../errors';
import { whyNotBookable, type NightRow } from './rules';

/** Rooms of one type held over a stay (an active room line of a reservation that is not cancelled). */
export interface Holding {
	roomType: string;
	arrival: string;
	departure: string;
	units: number;
}

/** What a reservation holds: its active rooms, nothing when it is cancelled. */
export function holdingsOf(reservation: { status: string; roomStays: Array<Holding & { status: string }> }): Holding[] {
	if (reservation.status === 'cancelled') return [];
	return reservation.roomStays.filter((room) => room.status === 'active');
}

export interface RoomMove {
	/** Nights whose availability changed, per room type. */
	nights: Array<{ roomType: string; nights: string[] }>;
	/** Per room of `after`, in order: whether a night of it has more rooms sold than loaded (channel-guaranteed moves only: a controlled one is never short). */
	overbooked: boolean[];
}

/**
 * Moves the store from holding `before` to holding `after`, in one step inside `tx`. Three phases,
 * so no transaction waits for another in a cycle: every inventory row involved is locked first
 * (room type by room type, each over the nights actually held, in night order), then `sold`
 * changes, and only then the change log and the data version row (one row for the whole hotel,
 * so it must come after every other lock; recordChanges takes it).
 */
export async function moveRooms(tx: Queryable, catalog: HotelCatalog, before: Holding[], after: Holding[], o: { controlled: boolean }): Promise<RoomMove> {
	const deltas = netChange(before, after);
	const roomTypes = [...new Set([...before, ...after].map((h) => h.roomType))].sort();
	for (const roomType of roomTypes) {
		if (!o.controlled) {
			// A guaranteed booking on nights never loaded still counts: create them (allotment 0).
			for (const range of spansOf(after.filter((h) => h.roomType === roomType))) {
				await tx.query(
					`INSERT INTO inventory_nights (room_type_code, night) SELECT $1, d::date FROM generate_series($2::date, $3::date - 1, interval '1 day') d
					 WHERE EXISTS (SELECT 1 FROM room_types WHERE code = $1) ON CONFLICT DO NOTHING`,
					[roomType, range.from, range.to],
				);
			}
		}
		// Rows up to the departure night: closed-to-departure lives on that row.
		for (const range of spansOf([...before, ...after].filter((h) => h.roomType === roomType))) await catalog.nights(roomType, range.from, range.to, tx, true);
	}
	const changed: Array<{ roomType: string; from: string; to: string }> = [];
	for (const roomType of roomTypes) {
		for (const range of rangesOf(deltas.get(roomType) ?? new Map())) {
			await tx.query('UPDATE inventory_nights SET sold = GREATEST(sold + $4, 0) WHERE room_type_code = $1 AND night >= $2::date AND night <= $3::date', [
				roomType,
				range.from,
				range.to,
				range.delta,
			]);
			changed.push({ roomType, from: range.from, to: range.to });
		}
	}
	const added = after.filter((h) => !before.some((b) => sameHolding(b, h)));
	if (o.controlled) {
		for (const h of added) {
			// Read after the move: the rows count this reservation's old rooms as free and its new ones as sold.
			const rows = await catalog.nights(h.roomType, h.arrival, h.departure, tx);
			const refusal = soldOutRefusal(rows, h);
			if (refusal) throw refusal;
		}
	}
	// A controlled move was just refused if short: only a guaranteed one needs the per-room look.
	const overbooked: boolean[] = [];
	if (!o.controlled) for (const h of after) overbooked.push(await isShort(tx, h));
	for (const range of changed) await recordChanges(tx, range.roomType, null, range.from, range.to, 'availability');
	return {
		nights: [...deltas].map(([roomType, nights]) => ({ roomType, nights: [...nights.keys()].sort() })).filter((each) => each.nights.length > 0),
		overbooked,
	};
}

/**
 * Why a hotel-controlled booking of `h` is refused on these rows, which already count the
 * booking's own rooms as sold: create()'s sold-out error, or undefined when it fits.
 */
export function soldOutRefusal(rows: NightRow[], h: Holding): HotelError | undefined {
	const why = whyNotBookable(rows, { arrival: h.arrival, departure: h.departure, nights: nightsOf(h.arrival, h.departure).length }, 0);
	return why ? new HotelError('sold_out', `Room type ${h.roomType} cannot be booked from ${h.arrival} to ${h.departure}: ${why.replace(/only -?\d+ room/, 'no room')}.`) : undefined;
}

/** The nights these stays touch (departure night included), merged where they overlap or meet: only what is held is locked or created. */
function spansOf(holdings: Holding[]): Array<{ from: string; to: string }> {
	const spans: Array<{ from: string; to: string }> = [];
	for (const h of [...holdings].sort((a, b) => a.arrival.localeCompare(b.arrival))) {
		const last = spans[spans.length - 1];
		if (last && h.arrival <= addDays(last.to, 1)) {
			if (h.departure > last.to) last.to = h.departure;
		} else spans.push({ from: h.arrival, to: h.departure });
	}
	return spans;
}

/** Rooms per room type and night: after minus before, zeros left out. */
function netChange(before: Holding[], after: Holding[]): Map<string, Map<string, number>> {
	const deltas = new Map<string, Map<string, number>>();
	const add = (h: Holding, sign: number) => {
		const nights = deltas.get(h.roomType) ?? new Map<string, number>();
		deltas.set(h.roomType, nights);
		for (const night of nightsOf(h.arrival, h.departure)) nights.set(night, (nights.get(night) ?? 0) + sign * h.units);
	};
	for (const h of before) add(h, -1);
	for (const h of after) add(h, 1);
	for (const nights of deltas.values()) for (const [night, delta] of nights) if (delta === 0) nights.delete(night);
	return deltas;
}

/** Consecutive nights with the same change, as inclusive ranges: one UPDATE each. */
function rangesOf(nights: Map<string, number>): Array<{ from: string; to: string; delta: number }> {
	const ranges: Array<{ from: string; to: string; delta: number }> = [];
	for (const night of [...nights.keys()].sort()) {
		const delta = nights.get(night)!;
		const last = ranges[ranges.length - 1];
		if (last && last.delta === delta && addDays(last.to, 1) === night) last.to = night;
		else ranges.push({ from: night, to: night, delta });
	}
	return ranges;
}

function sameHolding(a: Holding, b: Holding): boolean {
	return a.roomType === b.roomType && a.arrival === b.arrival && a.departure === b.departure && a.units === b.units;
}

/** A night of the stay sold beyond its allotment, or never loaded. */
async function isShort(tx: Queryable, h: Holding): Promise<boolean> {
	const rows = await tx.query<{ short: boolean }>(
		`SELECT (count(*) < $4 OR bool_or(sold > allotment)) AS short
		 FROM inventory_nights WHERE room_type_code = $1 AND night >= $2::date AND night < $3::date`,
		[h.roomType, h.arrival, h.departure, nightsOf(h.arrival, h.departure).length],
	);
	return rows.rows[0]?.short === true;
}

