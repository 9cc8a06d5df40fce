/**
 * Reading values out of incoming messages. Lenient where the meaning is clear (a date-time where a
 * date is expected is cut to its date, blanks are ignored), strict where guessing could sell the
 * wrong night: an unusable date or count is an OtaMessageError naming the element.
 */
import { invalidContent } from './errors';

/** xs:date (optionally with a zone: 2026-10-01Z, 2026-10-01-05:00) or xs:dateTime. */
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|T|Z$|[+-]\d{2}:\d{2}$)/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar date from an xs:date or xs:dateTime. */
export function readDate(value: string, path: string, label: string): string {
	const match = DATE_PREFIX.exec(value);
	if (!match || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
		throw invalidContent(path, `${label} "${value}" is not a date`);
	}
	return value.slice(0, 10);
}

/**
 * The proleptic Gregorian calendar, as Date has it; by arithmetic because a reservation has two
 * dates per room stay and two Date parses per date showed in the profile of a 1,000-reservation pull.
 */
function isRealDate(year: number, month: number, day: number): boolean {
	if (month < 1 || month > 12 || day < 1) return false;
	const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

export function readCount(value: string, path: string, label: string): number {
	if (!/^\+?\d{1,6}$/.test(value)) throw invalidContent(path, `${label} "${value}" is not a whole number`);
	return Number(value);
}

export function addDays(day: string, days: number): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Path segment for the n-th (0-based) of repeated elements: "RoomStay[1]". */
export const indexed = (name: string, index: number): string => `${name}[${index + 1}]`;
