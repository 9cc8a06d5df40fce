/**
 * From a hotel reservation to the Google Calendar event that shows it: who, which confirmation
 * number, when (arrival at check-in time to departure at check-out time, in the hotel's zone) and
 * what (room type, rooms, guests, channel). The event id is derived from the reservation id, so
 * every run for the same reservation addresses the same event and a rerun never duplicates it.
 */
import { createHash } from 'node:crypto';
import { parseDate } from '../inventory/dates';
import { invalid } from '../errors';
import { roomSummary } from '../inventory/roomSummary';
import { parseTimeOfDay, validateTimeZone, zonedDateTime } from './zonedTime';

export interface EventTime {
	dateTime?: string;
	date?: string;
	timeZone?: string;
}

/** The fields of a Google Calendar event this package writes or reads (Calendar API v3 `Event`). */
export interface CalendarEvent {
	id?: string;
	status?: 'confirmed' | 'tentative' | 'cancelled';
	summary?: string;
	description?: string;
	start?: EventTime;
	end?: EventTime;
	transparency?: 'opaque' | 'transparent';
	reminders?: { useDefault: boolean; overrides?: Array<{ method: string; minutes: number }> };
	extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
	htmlLink?: string;
	[field: string]: unknown;
}

/** Where and when the hotel's days start and end. */
export interface StayTimes {
	/** IANA zone, e.g. Europe/Berlin. */
	timeZone: string;
	/** HH:MM, default 15:00. */
	checkInTime?: string;
	/** HH:MM, default 11:00. */
	checkOutTime?: string;
}

/** The reservation fields the event needs: lib/inventory's Reservation, or the same shape from a webhook. */
export interface ReservationLike {
	id: string;
	guest?: { name?: string | null; email?: string | null; phone?: string | null } | null;
	arrival: string;
	departure: string;
	roomType?: string | null;
	rooms?: number | null;
	/** Each room of a multi-room reservation (type, guests), listed in the description. */
	roomStays?: unknown;
	adults?: number | null;
	children?: number | null;
	status?: string | null;
	version?: number | null;
	channel?: string | null;
	channelReservationId?: string | null;
}

/** Keys of `extendedProperties.private`: which reservation (and which version of it) an event shows. */
export const RESERVATION_ID_PROPERTY = 'hotelReservationId';
export const RESERVATION_VERSION_PROPERTY = 'hotelReservationVersion';

/**
 * Google event ids may use base32hex digits only (0-9, a-v), 5 to 1024 of them. We hash the
 * reservation id (any characters, any length) with SHA-256 and write the digest in base32hex after
 * a fixed prefix: the same reservation always gives the same id, two reservations never collide in
 * practice, and the prefix ("hotel", itself base32hex) tells our events apart from others.
 */
export function eventIdFor(reservationId: string): string {
	const id = String(reservationId ?? '').trim();
	if (!id) throw invalid('reservation.id', 'The reservation has no id, so its calendar event cannot be named.');
	return `hotel${base32hex(createHash('sha256').update(id, 'utf8').digest())}`;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

function base32hex(bytes: Uint8Array): string {
	let out = '';
	let bits = 0;
	let value = 0;
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32HEX[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
		value &= (1 << bits) - 1; // keep only the bits not written yet
	}
	return bits > 0 ? out + BASE32HEX[(value << (5 - bits)) & 31] : out;
}

/** The event for a reservation, with the status it should have (`cancelled` for a cancellation). */
export function eventFromReservation(reservation: ReservationLike, times: StayTimes, status: 'confirmed' | 'cancelled' = 'confirmed'): CalendarEvent {
	if (!reservation || typeof reservation !== 'object') throw invalid('reservation', 'The reservation is missing: pass the reservation object (id, guest, arrival, departure, …).');
	const id = String(reservation.id ?? '').trim();
	const eventId = eventIdFor(id);
	const timeZone = validateTimeZone(times.timeZone);
	const checkIn = parseTimeOfDay(times.checkInTime ?? '15:00', 'checkInTime', 'Check-in time');
	const checkOut = parseTimeOfDay(times.checkOutTime ?? '11:00', 'checkOutTime', 'Check-out time');
	const arrival = parseDate(reservation.arrival, 'reservation.arrival');
	const departure = parseDate(reservation.departure, 'reservation.departure');
	if (departure <= arrival) throw invalid('reservation.departure', `Reservation ${id}: departure (${departure}) must be after arrival (${arrival}).`);

	const privateProperties: Record<string, string> = { [RESERVATION_ID_PROPERTY]: id };
	if (Number.isInteger(reservation.version)) privateProperties[RESERVATION_VERSION_PROPERTY] = String(reservation.version);
	return {
		id: eventId,
		status,
		summary: summaryOf(reservation),
		description: descriptionOf(reservation),
		start: { dateTime: zonedDateTime(arrival, checkIn, timeZone), timeZone },
		end: { dateTime: zonedDateTime(departure, checkOut, timeZone), timeZone },
		// A stay is not a meeting: it must not make the front desk look busy, nor ring reminders.
		transparency: 'transparent',
		reminders: { useDefault: false },
		extendedProperties: { private: privateProperties },
	};
}

/**
 * "Zoë Müller · HB-7K2M9 · booking 4711": guest and confirmation numbers, the hotel's and the
 * channel's. `summary` is plain text in Google's API, so names are kept exactly as given (a guest
 * called "<script>" shows as that text, nothing is escaped or stripped).
 */
function summaryOf(r: ReservationLike): string {
	const guest = String(r.guest?.name ?? '').trim() || 'Guest';
	const channelRef = r.channelReservationId ? ` · ${r.channel ? `${r.channel} ` : ''}${r.channelReservationId}` : '';
	return `${guest} · ${r.id}${channelRef}`;
}

/**
 * The stay's facts, one per line. Google may render a description as HTML, so the guest's own
 * words (name, e-mail, phone) stay out of it: only the hotel's codes, counts and channel
 * references appear. Contact details stay out too, as calendars are shared more widely than the PMS.
 */
function descriptionOf(r: ReservationLike): string {
	const lines = [`Confirmation: ${r.id}`];
	if (r.channel) lines.push(`Channel: ${r.channel}${r.channelReservationId ? ` (reservation ${r.channelReservationId})` : ''}`);
	const rooms = roomSummary(r.roomStays);
	if (rooms && Array.isArray(r.roomStays) && r.roomStays.length > 1) lines.push(`Rooms: ${rooms}`);
	else {
		if (r.roomType) lines.push(`Room type: ${r.roomType}`);
		lines.push(`Rooms: ${r.rooms ?? 1}`);
	}
	const guests = [plural(r.adults, 'adult'), plural(r.children, 'child', 'children')].filter(Boolean);
	if (guests.length) lines.push(`Guests: ${guests.join(', ')}`);
	return lines.join('\n');
}

function plural(n: number | null | undefined, one: string, many = `${one}s`): string {
	if (!Number.isInteger(n) || (n as number) <= 0) return '';
	return `${n} ${n === 1 ? one : many}`;
}
