/**
 * Whether a room type can be sold for a stay, from its inventory rows: one rule, used both to
 * answer availability and, under row locks, to accept a booking — so the two never disagree.
 */
import { addDays } from './dates';

export interface NightRow {
	night: string;
	allotment: number;
	sold: number;
	stop_sell: boolean;
	min_los: number | null;
	max_los: number | null;
	closed_to_arrival: boolean;
	closed_to_departure: boolean;
}

export interface Stay {
	arrival: string;
	departure: string;
	nights: number;
}

/** Rooms left on every night of the stay (0 when any night is closed or missing). */
export function roomsLeft(rows: NightRow[], stay: Stay): number {
	const byNight = new Map(rows.map((r) => [r.night, r]));
	let left = Infinity;
	for (let i = 0; i < stay.nights; i++) {
		const row = byNight.get(addDays(stay.arrival, i));
		if (!row || row.stop_sell) return 0;
		left = Math.min(left, row.allotment - row.sold);
	}
	return Math.max(0, left === Infinity ? 0 : left);
}

/** Why the stay cannot be sold for `rooms` rooms, or undefined when it can. */
export function whyNotBookable(rows: NightRow[], stay: Stay, rooms: number): string | undefined {
	const byNight = new Map(rows.map((r) => [r.night, r]));
	for (let i = 0; i < stay.nights; i++) {
		const night = addDays(stay.arrival, i);
		const row = byNight.get(night);
		if (!row) return `no rooms are loaded for the night of ${night}`;
		if (row.stop_sell) return `sales are stopped for the night of ${night}`;
		if (row.allotment - row.sold < rooms) return `only ${Math.max(0, row.allotment - row.sold)} room(s) left for the night of ${night}`;
	}
	const first = byNight.get(stay.arrival)!;
	if (first.closed_to_arrival) return `arrival on ${stay.arrival} is closed`;
	if (first.min_los !== null && stay.nights < first.min_los) return `arrival on ${stay.arrival} needs a stay of at least ${first.min_los} nights`;
	if (first.max_los !== null && stay.nights > first.max_los) return `arrival on ${stay.arrival} allows at most ${first.max_los} nights`;
	if (byNight.get(stay.departure)?.closed_to_departure) return `departure on ${stay.departure} is closed`;
	return undefined;
}
