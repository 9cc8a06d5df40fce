/**
 * Stay dates are calendar dates (`YYYY-MM-DD`) in the hotel's time zone, never instants: a night
 * is named by the date it starts, a stay covers the nights from arrival up to the day before
 * departure. All arithmetic is done on UTC midnights so no time zone or DST shift can move a date.
 */
import { invalid } from '../errors';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export function parseDate(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim().slice(0, 10) : '';
	if (!ISO_DATE.test(text)) throw invalid(field, `${field} must be a date as YYYY-MM-DD (got ${JSON.stringify(value)}).`);
	const ms = Date.parse(`${text}T00:00:00Z`);
	if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) throw invalid(field, `${field} ${text} is not a real date.`);
	return text;
}

export function addDays(date: string, days: number): string {
	return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
	return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The nights of a stay: arrival, arrival+1, …, departure-1. */
export function nightsOf(arrival: string, departure: string): string[] {
	return Array.from({ length: Math.max(0, daysBetween(arrival, departure)) }, (_, i) => addDays(arrival, i));
}

/** Today's date where the hotel is (default: the process's time zone, as n8n's GENERIC_TIMEZONE sets it). */
export function today(timeZone?: string): string {
	return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Validates a stay: real dates, arrival before departure, not in the past, not absurdly long. */
export function validateStay(arrivalIn: unknown, departureIn: unknown, opts: { today?: string; maxNights?: number } = {}) {
	const arrival = parseDate(arrivalIn, 'arrival');
	const departure = parseDate(departureIn, 'departure');
	if (arrival >= departure) throw invalid('departure', `Departure (${departure}) must be after arrival (${arrival}).`);
	const now = opts.today ?? today();
	if (arrival < now) throw invalid('arrival', `Arrival ${arrival} is in the past (today is ${now}).`);
	const nights = daysBetween(arrival, departure);
	const max = opts.maxNights ?? 365;
	if (nights > max) throw invalid('departure', `A stay of ${nights} nights is longer than the ${max} allowed.`);
	return { arrival, departure, nights };
}

/** Validates a date range for inventory, restrictions and rates: `to` is inclusive, as channels expect. */
export function validateRange(fromIn: unknown, toIn: unknown, maxDays = 1100) {
	const from = parseDate(fromIn, 'from');
	const to = parseDate(toIn, 'to');
	if (to < from) throw invalid('to', `The range ends (${to}) before it starts (${from}).`);
	const days = daysBetween(from, to) + 1;
	if (days > maxDays) throw invalid('to', `A range of ${days} days is longer than the ${maxDays} allowed.`);
	return { from, to, days };
}
