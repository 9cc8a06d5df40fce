/**
 * Wall-clock times in the hotel's time zone. A stay is dates (YYYY-MM-DD); the calendar needs
 * instants: "arrival at 15:00 where the hotel is". We send Google both the RFC 3339 date-time with
 * its UTC offset and the IANA zone, so the event is unambiguous and still follows the zone's rules
 * (e.g. a check-in on the day clocks change gets that day's offset). Intl knows the zone rules;
 * no time zone library is needed.
 */
import { invalid } from '../errors';

/** The zone's canonical IANA name, or a clear error naming the field. */
export function validateTimeZone(value: unknown, field = 'timeZone'): string {
	const zone = typeof value === 'string' ? value.trim() : '';
	if (!zone) throw invalid(field, 'The hotel time zone is missing: set an IANA time zone such as Europe/Berlin.');
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
	} catch {
		throw invalid(field, `"${zone}" is not an IANA time zone (expected e.g. Europe/Berlin or America/New_York).`);
	}
}

/** 'HH:MM' (24-hour clock) into hours and minutes; `label` names it in the message. */
export function parseTimeOfDay(value: unknown, field: string, label: string): { hour: number; minute: number } {
	const text = typeof value === 'string' ? value.trim() : '';
	const match = /^(\d{1,2}):(\d{2})$/.exec(text);
	const hour = Number(match?.[1]);
	const minute = Number(match?.[2]);
	if (!match || hour > 23 || minute > 59) {
		throw invalid(field, `${label} "${text}" is not a time of day as HH:MM on a 24-hour clock (e.g. 15:00).`);
	}
	return { hour, minute };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `zone` at `utcMs`, as UTC milliseconds of the same fields (seconds precision). */
function wallClockMs(utcMs: number, zone: string): number {
	let f = formatters.get(zone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
		formatters.set(zone, f);
	}
	const parts = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
	return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** Minutes east of UTC in `zone` at the instant `utcMs`. */
function offsetMinutes(utcMs: number, zone: string): number {
	return Math.round((wallClockMs(utcMs, zone) - utcMs) / 60_000);
}

/**
 * `date` at `time` in `zone` as an RFC 3339 date-time with offset, e.g. 2026-03-29T15:00:00+02:00.
 * A wall time that does not exist (skipped by a spring-forward change) moves forward by the gap,
 * as Google Calendar itself does.
 */
export function zonedDateTime(date: string, time: { hour: number; minute: number }, zone: string): string {
	const [y, m, d] = date.split('-').map(Number);
	const asIfUtc = Date.UTC(y, m - 1, d, time.hour, time.minute);
	// Two passes: the offset at the guess can differ from the offset at the answer near a change.
	const first = asIfUtc - offsetMinutes(asIfUtc, zone) * 60_000;
	const instant = asIfUtc - offsetMinutes(first, zone) * 60_000;
	const offset = offsetMinutes(instant, zone);
	const wall = new Date(instant + offset * 60_000).toISOString().slice(0, 19);
	const sign = offset < 0 ? '-' : '+';
	return `${wall}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}
