/**
 * The hotel's catalogue and calendar: room types, rate plans, and per room type and night the
 * allotment, restrictions and rates. Every change is recorded in inventory_changes so the OTA push
 * can send exactly what changed. Availability answers come from here.
 */
import type { Db, Queryable } from '../store/db';
import { HotelError, invalid } from '../errors';
import { nightsOf, validateRange, validateStay } from './dates';
import { roomsLeft, whyNotBookable, type NightRow } from './rules';

export interface RoomType {
	code: string;
	name: string;
	maxOccupancy: number;
}

export interface RatePlan {
	code: string;
	name: string;
	currency: string;
}

export interface InventoryUpdate {
	roomType: string;
	from: string;
	/** Inclusive. */
	to: string;
	allotment?: number;
	stopSell?: boolean;
	/** null clears the restriction; undefined leaves it as it is. */
	minLos?: number | null;
	maxLos?: number | null;
	closedToArrival?: boolean;
	closedToDeparture?: boolean;
}

export interface RateUpdate {
	roomType: string;
	ratePlan: string;
	from: string;
	/** Inclusive. */
	to: string;
	/** Per room and night, in minor units. */
	amount: number;
}

export interface AvailabilityQuery {
	arrival: string;
	departure: string;
	roomType?: string;
	adults?: number;
	children?: number;
	rooms?: number;
	today?: string;
}

export interface Offer {
	roomType: string;
	roomTypeName: string;
	ratePlan: string;
	ratePlanName: string;
	available: number;
	nights: number;
	currency: string;
	/** For all rooms and nights, minor units. */
	totalAmount: number;
	nightly: Array<{ night: string; amount: number }>;
}

const code = (value: unknown, field: string): string => {
	const text = typeof value === 'string' ? value.trim() : '';
	if (!text) throw invalid(field, `${field} is required.`);
	if (text.length > 64) throw invalid(field, `${field} is longer than 64 characters.`);
	return text;
};

const wholeNumber = (value: unknown, field: string, min: number): number => {
	const n = Number(value);
	if (!Number.isInteger(n) || n < min) throw invalid(field, `${field} must be a whole number of at least ${min}.`);
	return n;
};

export class HotelCatalog {
	constructor(private readonly db: Db) {}

	async upsertRoomType(input: { code: string; name: string; maxOccupancy?: number }): Promise<RoomType> {
		const rt = { code: code(input.code, 'roomType'), name: String(input.name ?? '').trim() || input.code, maxOccupancy: wholeNumber(input.maxOccupancy ?? 2, 'maxOccupancy', 1) };
		await this.db.query(
			`INSERT INTO room_types (code, name, max_occupancy) VALUES ($1, $2, $3)
			 ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, max_occupancy = EXCLUDED.max_occupancy`,
			[rt.code, rt.name, rt.maxOccupancy],
		);
		return rt;
	}

	async upsertRatePlan(input: { code: string; name: string; currency: string }): Promise<RatePlan> {
		const currency = String(input.currency ?? '').trim().toLowerCase();
		if (!/^[a-z]{3}$/.test(currency)) throw invalid('currency', 'currency must be a three-letter ISO code such as EUR.');
		const rp = { code: code(input.code, 'ratePlan'), name: String(input.name ?? '').trim() || input.code, currency };
		await this.db.query(
			`INSERT INTO rate_plans (code, name, currency) VALUES ($1, $2, $3)
			 ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, currency = EXCLUDED.currency`,
			[rp.code, rp.name, rp.currency],
		);
		return rp;
	}

	async roomTypes(): Promise<RoomType[]> {
		const rows = await this.db.query<{ code: string; name: string; max_occupancy: number }>('SELECT code, name, max_occupancy FROM room_types ORDER BY code');
		return rows.rows.map((r) => ({ code: r.code, name: r.name, maxOccupancy: r.max_occupancy }));
	}

	async requireRoomType(roomType: string, tx: Queryable = this.db): Promise<RoomType> {
		const row = (await tx.query<{ code: string; name: string; max_occupancy: number }>('SELECT code, name, max_occupancy FROM room_types WHERE code = $1', [roomType])).rows[0];
		if (!row) throw new HotelError('not_found', `Unknown room type "${roomType}".`, 'roomType');
		return { code: row.code, name: row.name, maxOccupancy: row.max_occupancy };
	}

	async requireRatePlan(ratePlan: string, tx: Queryable = this.db): Promise<RatePlan> {
		const row = (await tx.query<RatePlan>('SELECT code, name, currency FROM rate_plans WHERE code = $1', [ratePlan])).rows[0];
		if (!row) throw new HotelError('not_found', `Unknown rate plan "${ratePlan}".`, 'ratePlan');
		return row;
	}

	/** Sets allotment and restrictions for every night of the range; returns the nights changed. */
	async setInventory(update: InventoryUpdate): Promise<{ roomType: string; from: string; to: string; nights: number }> {
		const roomType = code(update.roomType, 'roomType');
		const { from, to, days } = validateRange(update.from, update.to);
		const allotment = update.allotment === undefined ? null : wholeNumber(update.allotment, 'allotment', 0);
		const los = (v: number | null | undefined, field: string) => (v === undefined || v === null ? null : wholeNumber(v, field, 1));
		const changesRestrictions = [update.stopSell, update.minLos, update.maxLos, update.closedToArrival, update.closedToDeparture].some((v) => v !== undefined);
		if (allotment === null && !changesRestrictions) throw invalid('allotment', 'Give an allotment or at least one restriction to set.');
		await this.db.transaction(async (tx) => {
			await this.requireRoomType(roomType, tx);
			await tx.query(
				`INSERT INTO inventory_nights AS i (room_type_code, night, allotment, stop_sell, min_los, max_los, closed_to_arrival, closed_to_departure)
				 SELECT $1, d::date, COALESCE($4, 0), COALESCE($5, false), $7, $9, COALESCE($10, false), COALESCE($11, false)
				 FROM generate_series($2::date, $3::date, interval '1 day') AS d
				 ON CONFLICT (room_type_code, night) DO UPDATE SET
				   allotment           = COALESCE($4, i.allotment),
				   stop_sell           = COALESCE($5, i.stop_sell),
				   min_los             = CASE WHEN $6 THEN $7 ELSE i.min_los END,
				   max_los             = CASE WHEN $8 THEN $9 ELSE i.max_los END,
				   closed_to_arrival   = COALESCE($10, i.closed_to_arrival),
				   closed_to_departure = COALESCE($11, i.closed_to_departure)`,
				[
					roomType, from, to, allotment, update.stopSell ?? null,
					update.minLos !== undefined, los(update.minLos, 'minLos'),
					update.maxLos !== undefined, los(update.maxLos, 'maxLos'),
					update.closedToArrival ?? null, update.closedToDeparture ?? null,
				],
			);
			if (allotment !== null) await recordChanges(tx, roomType, null, from, to, 'availability');
			if (changesRestrictions) await recordChanges(tx, roomType, null, from, to, 'restrictions');
		});
		return { roomType, from, to, nights: days };
	}

	async setRates(update: RateUpdate): Promise<{ roomType: string; ratePlan: string; from: string; to: string; nights: number }> {
		const roomType = code(update.roomType, 'roomType');
		const ratePlan = code(update.ratePlan, 'ratePlan');
		const { from, to, days } = validateRange(update.from, update.to);
		const amount = wholeNumber(update.amount, 'amount', 0);
		await this.db.transaction(async (tx) => {
			await this.requireRoomType(roomType, tx);
			await this.requireRatePlan(ratePlan, tx);
			await tx.query(
				`INSERT INTO rates (room_type_code, rate_plan_code, night, amount)
				 SELECT $1, $2, d::date, $5 FROM generate_series($3::date, $4::date, interval '1 day') AS d
				 ON CONFLICT (room_type_code, rate_plan_code, night) DO UPDATE SET amount = EXCLUDED.amount`,
				[roomType, ratePlan, from, to, amount],
			);
			await recordChanges(tx, roomType, ratePlan, from, to, 'rate');
		});
		return { roomType, ratePlan, from, to, nights: days };
	}

	/** Inventory rows of a room type from `from` to `to` inclusive. */
	async nights(roomType: string, from: string, to: string, tx: Queryable = this.db, lock = false): Promise<NightRow[]> {
		const rows = await tx.query<NightRow>(
			`SELECT night::text AS night, allotment, sold, stop_sell, min_los, max_los, closed_to_arrival, closed_to_departure
			 FROM inventory_nights WHERE room_type_code = $1 AND night BETWEEN $2::date AND $3::date ORDER BY night${lock ? ' FOR UPDATE' : ''}`,
			[roomType, from, to],
		);
		return rows.rows;
	}

	/** Offers for a stay: each room type with rooms left on every night, priced by each complete rate plan. */
	async availability(q: AvailabilityQuery): Promise<Offer[]> {
		const stay = validateStay(q.arrival, q.departure, { today: q.today });
		const rooms = wholeNumber(q.rooms ?? 1, 'rooms', 1);
		const guests = wholeNumber(q.adults ?? 1, 'adults', 1) + wholeNumber(q.children ?? 0, 'children', 0);
		const roomTypes = q.roomType ? [await this.requireRoomType(code(q.roomType, 'roomType'))] : await this.roomTypes();
		const offers: Offer[] = [];
		for (const rt of roomTypes) {
			if (guests > rt.maxOccupancy * rooms) continue;
			const rows = await this.nights(rt.code, stay.arrival, stay.departure);
			if (whyNotBookable(rows, stay, rooms)) continue;
			const available = roomsLeft(rows, stay);
			for (const { perRoom, ...priced } of await this.prices(rt.code, stay.arrival, stay.departure)) {
				offers.push({ roomType: rt.code, roomTypeName: rt.name, ...priced, available, nights: stay.nights, totalAmount: perRoom * rooms });
			}
		}
		return offers;
	}

	/** Rate plans with a rate on every night of [arrival, departure), and their price per room. */
	async prices(roomType: string, arrival: string, departure: string, tx: Queryable = this.db) {
		const nights = nightsOf(arrival, departure);
		const rows = await tx.query<{ rate_plan_code: string; name: string; currency: string; night: string; amount: number }>(
			`SELECT r.rate_plan_code, p.name, p.currency, r.night::text AS night, r.amount
			 FROM rates r JOIN rate_plans p ON p.code = r.rate_plan_code
			 WHERE r.room_type_code = $1 AND r.night >= $2::date AND r.night < $3::date
			 ORDER BY r.rate_plan_code, r.night`,
			[roomType, arrival, departure],
		);
		const byPlan = new Map<string, { ratePlan: string; ratePlanName: string; currency: string; nightly: Array<{ night: string; amount: number }> }>();
		for (const r of rows.rows) {
			const plan = byPlan.get(r.rate_plan_code) ?? { ratePlan: r.rate_plan_code, ratePlanName: r.name, currency: r.currency, nightly: [] };
			plan.nightly.push({ night: r.night, amount: r.amount });
			byPlan.set(r.rate_plan_code, plan);
		}
		return [...byPlan.values()]
			.filter((p) => p.nightly.length === nights.length)
			.map((p) => ({ ...p, perRoom: p.nightly.reduce((sum, n) => sum + n.amount, 0) }));
	}
}

/**
 * Notes that these nights changed: for the OTA push (inventory_changes) and for caches (the data
 * version). Every transaction that changes what availability answers runs through here.
 */
export async function recordChanges(tx: Queryable, roomType: string, ratePlan: string | null, from: string, to: string, kind: 'availability' | 'restrictions' | 'rate') {
	// Taken last in each transaction (its rows are locked already), so it cannot deadlock.
	await tx.query('UPDATE hotel_data_version SET version = version + 1');
	await tx.query(
		`INSERT INTO inventory_changes (room_type_code, rate_plan_code, night, kind)
		 SELECT $1, $2, d::date, $5 FROM generate_series($3::date, $4::date, interval '1 day') AS d`,
		[roomType, ratePlan, from, to, kind],
	);
}

/** The version of everything availability depends on; it changes with every committed change. */
export async function dataVersion(db: Queryable): Promise<string> {
	const row = (await db.query<{ version: string }>('SELECT version::text AS version FROM hotel_data_version')).rows[0];
	return row?.version ?? '0';
}
