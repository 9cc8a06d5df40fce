/**
 * The store's ARI as a channel sees it. For the push: the current state of the nights that changed,
 * merged into ranges (ariForChanges) — always the latest state, never the history of changes, so
 * after an outage the channel gets each changed night once, as it is now. For the audit: a window
 * night by night (ariWindow). Both map an inventory row the same way (availValueOf).
 */
import type { Queryable } from '../store/db';
import type { NightChange } from '../inventory/changeLog';
import type { NightRow } from '../inventory/rules';
import { mergeNights, type Range } from './ranges';

export interface AvailValue {
	/** Rooms left to sell (allotment − sold, never below 0). */
	bookingLimit: number;
	stopSell: boolean;
	minLos: number | null;
	maxLos: number | null;
	closedToArrival: boolean;
	closedToDeparture: boolean;
}

export interface RateValue {
	amount: number;
	currency: string;
}

export interface AriRanges {
	availability: Array<Range<AvailValue> & { roomType: string }>;
	rates: Array<Range<RateValue> & { roomType: string; ratePlan: string }>;
}

/** Latest values for the changed nights, merged per room type (and rate plan) into ranges. */
export async function ariForChanges(db: Queryable, changes: NightChange[]): Promise<AriRanges> {
	const availKeys = unique(changes.filter((c) => c.kind !== 'rate').map((c) => [c.roomType, c.night]));
	const rateKeys = unique(changes.filter((c) => c.kind === 'rate' && c.ratePlan).map((c) => [c.roomType, c.ratePlan!, c.night]));

	const avail = availKeys.length
		? await db.query<InventoryRow>(
				`SELECT ${INVENTORY_COLUMNS}
				 FROM inventory_nights i JOIN unnest($1::text[], $2::date[]) AS k(room_type_code, night)
				   ON k.room_type_code = i.room_type_code AND k.night = i.night`,
				[availKeys.map((k) => k[0]), availKeys.map((k) => k[1])],
			)
		: { rows: [] };
	const rates = rateKeys.length
		? await db.query<{ room_type_code: string; rate_plan_code: string; night: string; amount: number; currency: string }>(
				`SELECT r.room_type_code, r.rate_plan_code, r.night::text AS night, r.amount, p.currency
				 FROM rates r JOIN rate_plans p ON p.code = r.rate_plan_code
				 JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(room_type_code, rate_plan_code, night)
				   ON k.room_type_code = r.room_type_code AND k.rate_plan_code = r.rate_plan_code AND k.night = r.night`,
				[rateKeys.map((k) => k[0]), rateKeys.map((k) => k[1]), rateKeys.map((k) => k[2])],
			)
		: { rows: [] };

	const availability = groupBy(avail.rows, (r) => r.room_type_code).flatMap(([roomType, rows]) =>
		mergeNights(
			rows.map((r) => ({ night: r.night, value: availValueOf(r) })),
		).map((range) => ({ ...range, roomType })),
	);
	const rateRanges = groupBy(rates.rows, (r) => `${r.room_type_code}\u0000${r.rate_plan_code}`).flatMap(([, rows]) =>
		mergeNights(rows.map((r) => ({ night: r.night, value: { amount: r.amount, currency: r.currency } }))).map((range) => ({
			...range,
			roomType: rows[0].room_type_code,
			ratePlan: rows[0].rate_plan_code,
		})),
	);
	return { availability, rates: rateRanges };
}

/**
 * The store's ARI over a window, night by night, keyed `roomType|night` and `roomType|ratePlan|night`:
 * what the channel audit compares with the channel's view. Availability from `first` to `last`
 * inclusive, rates from `first` to the night before `last`.
 */
export async function ariWindow(db: Queryable, roomTypes: string[], ratePlans: string[], first: string, last: string): Promise<{ nights: Map<string, AvailValue>; rates: Map<string, number> }> {
	const inventory = await db.query<InventoryRow>(
		`SELECT ${INVENTORY_COLUMNS} FROM inventory_nights i WHERE i.room_type_code = ANY($1) AND i.night >= $2 AND i.night <= $3`,
		[roomTypes, first, last],
	);
	const rates = await db.query<{ room_type_code: string; rate_plan_code: string; night: string; amount: number }>(
		`SELECT room_type_code, rate_plan_code, night::text AS night, amount FROM rates
		 WHERE room_type_code = ANY($1) AND rate_plan_code = ANY($2) AND night >= $3 AND night < $4`,
		[roomTypes, ratePlans, first, last],
	);
	return {
		nights: new Map(inventory.rows.map((r) => [`${r.room_type_code}|${r.night}`, availValueOf(r)])),
		rates: new Map(rates.rows.map((r) => [`${r.room_type_code}|${r.rate_plan_code}|${r.night}`, Number(r.amount)])),
	};
}

/** An inventory row as availability reads it (rules.ts), with its room type. */
type InventoryRow = NightRow & { room_type_code: string };

const INVENTORY_COLUMNS = 'i.room_type_code, i.night::text AS night, i.allotment, i.sold, i.stop_sell, i.min_los, i.max_los, i.closed_to_arrival, i.closed_to_departure';

/** A night as a channel sees it: rooms left, never below 0, and its restrictions. */
function availValueOf(r: InventoryRow): AvailValue {
	return {
		bookingLimit: Math.max(0, r.allotment - r.sold),
		stopSell: r.stop_sell,
		minLos: r.min_los,
		maxLos: r.max_los,
		closedToArrival: r.closed_to_arrival,
		closedToDeparture: r.closed_to_departure,
	};
}

function unique<T extends string[]>(keys: T[]): T[] {
	const seen = new Map<string, T>();
	for (const k of keys) seen.set(k.join('\u0000'), k);
	return [...seen.values()];
}

function groupBy<T>(rows: T[], key: (row: T) => string): Array<[string, T[]]> {
	const groups = new Map<string, T[]>();
	for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
	return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}
