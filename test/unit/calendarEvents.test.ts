/**
 * From a reservation to its calendar event, without any server: times in the hotel's zone
 * (daylight-saving days included), guest names kept as plain text, clear errors for bad settings,
 * and an event id that is valid for Google, stable and distinct per reservation.
 */
import { eventFromReservation, eventIdFor, type ReservationLike } from '../../lib/calendar/events';
import { changeOf } from '../../lib/calendar/sync';
import { validateTimeZone, zonedDateTime } from '../../lib/calendar/zonedTime';
import { HotelError } from '../../lib/errors';
import { thrownBy } from '../support/thrown';

const reservation = (over: Partial<ReservationLike> = {}): ReservationLike => ({
	id: 'HB-7K2M9QX4PD',
	guest: { name: 'Zoë Müller-Øster', email: 'zoe@example.com', phone: '+49 30 1234567' },
	arrival: '2026-05-01',
	departure: '2026-05-04',
	roomType: 'DBL',
	rooms: 2,
	adults: 3,
	children: 1,
	status: 'booked',
	version: 1,
	channel: 'booking',
	channelReservationId: '4711',
	...over,
});

const berlin = { timeZone: 'Europe/Berlin' };

const fieldError = (fn: () => unknown): HotelError => thrownBy(fn, HotelError);

describe('eventFromReservation', () => {
	it('shows guest and confirmation numbers, the stay facts, and runs from check-in to check-out in the hotel zone', () => {
		const event = eventFromReservation(reservation(), berlin);
		expect(event).toMatchObject({
			id: eventIdFor('HB-7K2M9QX4PD'),
			status: 'confirmed',
			summary: 'Zoë Müller-Øster · HB-7K2M9QX4PD · booking 4711',
			start: { dateTime: '2026-05-01T15:00:00+02:00', timeZone: 'Europe/Berlin' },
			end: { dateTime: '2026-05-04T11:00:00+02:00', timeZone: 'Europe/Berlin' },
			transparency: 'transparent',
			extendedProperties: { private: { hotelReservationId: 'HB-7K2M9QX4PD', hotelReservationVersion: '1' } },
		});
		expect(event.description).toBe(
			['Confirmation: HB-7K2M9QX4PD', 'Channel: booking (reservation 4711)', 'Room type: DBL', 'Rooms: 2', 'Guests: 3 adults, 1 child'].join('\n'),
		);
	});

	it('lists the rooms of a multi-room reservation in the one event', () => {
		const roomStays = [
			{ status: 'active', roomType: 'DBL', units: 1, adults: 2, children: 0 },
			{ status: 'active', roomType: 'FAM', units: 1, adults: 1, children: 2 },
		];
		expect(eventFromReservation(reservation({ roomStays }), berlin).description).toBe(
			['Confirmation: HB-7K2M9QX4PD', 'Channel: booking (reservation 4711)', 'Rooms: 1 × DBL (2 adults); 1 × FAM (1 adult, 2 children)', 'Guests: 3 adults, 1 child'].join('\n'),
		);
	});

	it('uses the configured check-in and check-out times', () => {
		const event = eventFromReservation(reservation(), { timeZone: 'America/New_York', checkInTime: '16:30', checkOutTime: '9:00' });
		expect(event.start).toEqual({ dateTime: '2026-05-01T16:30:00-04:00', timeZone: 'America/New_York' });
		expect(event.end).toEqual({ dateTime: '2026-05-04T09:00:00-04:00', timeZone: 'America/New_York' });
	});

	it('gives each day the offset it has, across daylight-saving changes', () => {
		// Berlin: clocks go forward on 2026-03-29 and back on 2026-10-25.
		const spring = eventFromReservation(reservation({ arrival: '2026-03-28', departure: '2026-03-29' }), berlin);
		expect(spring.start?.dateTime).toBe('2026-03-28T15:00:00+01:00');
		expect(spring.end?.dateTime).toBe('2026-03-29T11:00:00+02:00');
		const autumn = eventFromReservation(reservation({ arrival: '2026-10-25', departure: '2026-10-26' }), berlin);
		expect(autumn.start?.dateTime).toBe('2026-10-25T15:00:00+01:00');
		expect(Date.parse(autumn.start!.dateTime!)).toBe(Date.parse('2026-10-25T14:00:00Z'));
		// Southern hemisphere and a half-hour zone.
		expect(eventFromReservation(reservation({ arrival: '2026-04-04', departure: '2026-04-05' }), { timeZone: 'Australia/Sydney' }).start?.dateTime).toBe(
			'2026-04-04T15:00:00+11:00',
		);
		expect(eventFromReservation(reservation({ arrival: '2026-04-05', departure: '2026-04-06' }), { timeZone: 'Australia/Sydney' }).start?.dateTime).toBe(
			'2026-04-05T15:00:00+10:00',
		);
		expect(eventFromReservation(reservation(), { timeZone: 'Asia/Kolkata' }).start?.dateTime).toBe('2026-05-01T15:00:00+05:30');
		expect(eventFromReservation(reservation({ arrival: '2026-01-10', departure: '2026-01-11' }), { timeZone: 'America/St_Johns' }).start?.dateTime).toBe(
			'2026-01-10T15:00:00-03:30',
		);
	});

	it('moves a wall time skipped by a spring-forward change forward by the gap, as Google does', () => {
		expect(zonedDateTime('2026-03-29', { hour: 2, minute: 30 }, 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
		expect(zonedDateTime('2026-03-29', { hour: 1, minute: 59 }, 'Europe/Berlin')).toBe('2026-03-29T01:59:00+01:00');
		expect(zonedDateTime('2026-06-01', { hour: 0, minute: 0 }, 'UTC')).toBe('2026-06-01T00:00:00+00:00');
	});

	it('keeps Unicode and markup in names as plain text in the summary, and keeps guest details out of the description', () => {
		const event = eventFromReservation(
			reservation({ guest: { name: '<script>alert("x")</script> 李小龙 👋', email: 'evil@example.com', phone: '+1 555' }, channelReservationId: null, channel: 'booking_engine' }),
			berlin,
		);
		expect(event.summary).toBe('<script>alert("x")</script> 李小龙 👋 · HB-7K2M9QX4PD');
		expect(event.description).not.toContain('script');
		expect(event.description).not.toContain('evil@example.com');
		expect(event.description).not.toContain('555');
		expect(event.description).toContain('Channel: booking_engine');
	});

	it('names a guest-less reservation "Guest" and leaves out the version when there is none', () => {
		const event = eventFromReservation(reservation({ guest: null, version: undefined, rooms: undefined, adults: 0, children: 0 }), berlin);
		expect(event.summary).toBe('Guest · HB-7K2M9QX4PD · booking 4711');
		expect(event.extendedProperties?.private).toEqual({ hotelReservationId: 'HB-7K2M9QX4PD' });
		expect(event.description).toContain('Rooms: 1');
		expect(event.description).not.toContain('Guests:');
	});

	it('explains bad settings and bad reservations, naming the field', () => {
		const zone = fieldError(() => eventFromReservation(reservation(), { timeZone: 'Europe/Berln' }));
		expect(zone.field).toBe('timeZone');
		expect(zone.message).toMatch(/"Europe\/Berln" is not an IANA time zone/);
		expect(fieldError(() => eventFromReservation(reservation(), { timeZone: ' ' })).message).toMatch(/time zone is missing/);
		for (const bad of ['25:00', '3pm', '15:60', '', '15']) {
			const e = fieldError(() => eventFromReservation(reservation(), { timeZone: 'UTC', checkInTime: bad }));
			expect(e.field).toBe('checkInTime');
			expect(e.message).toMatch(/Check-in time .* is not a time of day as HH:MM/);
		}
		expect(fieldError(() => eventFromReservation(reservation(), { timeZone: 'UTC', checkOutTime: '11.00' })).field).toBe('checkOutTime');
		expect(fieldError(() => eventFromReservation(reservation({ departure: '2026-05-01' }), berlin)).message).toMatch(/departure \(2026-05-01\) must be after arrival/);
		expect(fieldError(() => eventFromReservation(reservation({ arrival: '2026-02-30' }), berlin)).field).toBe('reservation.arrival');
		expect(fieldError(() => eventFromReservation(reservation({ id: '' }), berlin)).field).toBe('reservation.id');
		expect(fieldError(() => eventFromReservation(null as unknown as ReservationLike, berlin)).field).toBe('reservation');
	});

	it('accepts time zones in any letter case and returns their canonical name', () => {
		expect(validateTimeZone('europe/berlin')).toBe('Europe/Berlin');
		expect(validateTimeZone('UTC')).toBe('UTC');
	});
});

describe('eventIdFor', () => {
	const GOOGLE_EVENT_ID = /^[a-v0-9]{5,1024}$/;

	it('is a valid Google event id for any reservation id', () => {
		for (const id of ['R1', 'HB-7K2M9QX4PD', 'ÄÖÜ 李 👋', '<script>', ' padded ', 'x'.repeat(5000), '../../etc/passwd']) {
			expect(eventIdFor(id)).toMatch(GOOGLE_EVENT_ID);
		}
	});

	it('is stable: the same reservation always gives the same id', () => {
		expect(eventIdFor('HB-7K2M9QX4PD')).toBe(eventIdFor('HB-7K2M9QX4PD'));
		// Pinned (checked against Python's base64.b32hexencode of the SHA-256): changing the
		// derivation would orphan every event already in hotels' calendars.
		expect(eventIdFor('HB-7K2M9QX4PD')).toBe('hotelckccqpagt1dl35b137h01bqeh0n8u3flngeeisctjg6du0omorvg');
	});

	it('is distinct for distinct reservations, letter case included', () => {
		const ids = new Set<string>();
		for (let n = 0; n < 10_000; n++) ids.add(eventIdFor(`R-${n}`));
		ids.add(eventIdFor('r-1'));
		expect(ids.size).toBe(10_001);
	});

	it('refuses an empty reservation id', () => {
		expect(() => eventIdFor('  ')).toThrow(/no id/);
	});
});

describe('changeOf', () => {
	it('accepts our words and the channels\' words, and falls back to the reservation status', () => {
		expect(['created', 'book', 'BOOK', 'booked'].map((a) => changeOf(a))).toEqual(['created', 'created', 'created', 'created']);
		expect(['modified', 'modify'].map((a) => changeOf(a))).toEqual(['modified', 'modified']);
		expect(['cancelled', 'cancel', 'canceled'].map((a) => changeOf(a))).toEqual(['cancelled', 'cancelled', 'cancelled']);
		expect(changeOf('', 'booked')).toBe('created');
		expect(changeOf(undefined, 'modified')).toBe('modified');
		expect(changeOf(null, 'cancelled')).toBe('cancelled');
	});

	it('names the field when it cannot tell', () => {
		expect(() => changeOf('archive')).toThrow(/Action "archive" is not one of created, modified, cancelled/);
		expect(() => changeOf('', undefined)).toThrow(/set Action to created, modified or cancelled/);
	});
});
