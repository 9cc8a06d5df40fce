/**
 * Turning night-by-night values into the few date ranges a channel wants.
 *
 * Channels take deltas as ranges (Booking.com: StatusApplicationControl Start..End, End inclusive;
 * SiteMinder: consecutive equal days merged). So the push sends, per room type and rate plan, one
 * range for each run of consecutive nights with equal values — and splits only where a channel's
 * limits require it (at most one month per request, at most N updates per message).
 */
import { addDays, daysBetween } from '../inventory/dates';

export interface NightValue<T> {
	night: string;
	value: T;
}

export interface Range<T> {
	start: string;
	/** Inclusive. */
	end: string;
	value: T;
}

/** Runs of consecutive nights whose values are equal (by JSON), in date order. */
export function mergeNights<T>(nights: Array<NightValue<T>>): Array<Range<T>> {
	const sorted = [...nights].sort((a, b) => a.night.localeCompare(b.night));
	const ranges: Array<Range<T>> = [];
	let current: (Range<T> & { key: string }) | undefined;
	for (const { night, value } of sorted) {
		const key = JSON.stringify(value);
		if (current && current.key === key && addDays(current.end, 1) === night) {
			current.end = night;
			continue;
		}
		if (current && current.end === night) continue; // the same night twice: first one wins
		current = { start: night, end: night, value, key };
		ranges.push(current);
	}
	return ranges.map(({ start, end, value }) => ({ start, end, value }));
}

/** Splits a range at calendar month boundaries (channels that accept one month per request). */
export function splitByMonth<T>(range: Range<T>): Array<Range<T>> {
	const parts: Array<Range<T>> = [];
	let start = range.start;
	while (start <= range.end) {
		const monthEnd = addDays(`${nextMonth(start.slice(0, 7))}-01`, -1);
		const end = monthEnd < range.end ? monthEnd : range.end;
		parts.push({ start, end, value: range.value });
		start = addDays(end, 1);
	}
	return parts;
}

function nextMonth(yearMonth: string): string {
	const [y, m] = yearMonth.split('-').map(Number);
	return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Groups items into batches of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
	if (size < 1) throw new Error('chunk size must be at least 1');
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** Nights in a range (inclusive). */
export function nightsIn(range: { start: string; end: string }): number {
	return daysBetween(range.start, range.end) + 1;
}
