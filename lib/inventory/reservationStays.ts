/**
 * From what a caller gives (the booking-engine API's one-room body, a channel's rooms) to a
 * reservation the store can write: every room checked (room type, dates, guests), and for a
 * booking the hotel controls, priced from its rate plan. Errors are HotelErrors naming the field,
 * e.g. "roomStays[1].arrival", so an API caller or hotel IT sees which room is wrong.
 */
import type { Queryable } from '../store/db';
import type { HotelCatalog } from './catalog';
import { validateStay } from './dates';
import { invalid } from '../errors';
import type { ValidReservation, ValidRoom } from './reservationRows';
import type { PaymentModel, Reservation, RoomInput, StayInput } from './reservationTypes';

const PAYMENT_MODELS: PaymentModel[] = ['hotel_collect', 'channel_collect', 'virtual_card'];

export interface StayRules {
	/** A booking the hotel controls: rate plan required, priced from it, guests must fit. */
	controlled: boolean;
	/** Channels deliver stays that have begun (a late modification): allowed for them. */
	allowPast?: boolean;
	/** A cancellation of a booking never received names no room type we know. */
	allowUnknownRoomType?: boolean;
	today?: string;
	/** On a change: rooms that did not change keep their price. */
	current?: Reservation;
}

/** The rooms of a reservation: `roomStays`, or the one room of the short form. */
function roomsOf(input: StayInput): RoomInput[] {
	if (Array.isArray(input.roomStays) && input.roomStays.length > 0) return input.roomStays;
	return [
		{
			roomType: input.roomType as string,
			ratePlan: input.ratePlan,
			units: input.rooms,
			adults: input.adults,
			children: input.children,
			amount: input.amount,
			currency: input.currency,
		},
	];
}

export async function validateReservation(tx: Queryable, catalog: HotelCatalog, input: StayInput, rules: StayRules): Promise<ValidReservation> {
	if (!input || typeof input !== 'object') throw invalid('stay', 'The reservation details are missing.');
	const guestName = text(input.guest?.name, 200);
	if (!guestName) throw invalid('guest.name', 'The guest name is missing.');
	const email = text(input.guest?.email, 254);
	if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid('guest.email', `"${email}" is not an e-mail address.`);
	if (input.roomStays !== undefined && !Array.isArray(input.roomStays)) throw invalid('roomStays', 'roomStays must be a list of rooms.');
	const multi = Array.isArray(input.roomStays) && input.roomStays.length > 0;
	const keys = new Set<string>();
	const rooms: ValidRoom[] = [];
	for (const [index, room] of roomsOf(input).entries()) {
		const field = (name: string) => (multi ? `roomStays[${index}].${name}` : name === 'units' ? 'rooms' : name);
		if (!room || typeof room !== 'object') throw invalid(`roomStays[${index}]`, `Room ${index + 1} is not a room.`);
		const valid = await validateRoom(tx, catalog, room, input, rules, field);
		// Keys identify rooms across modifications; a channel repeating one gets it made unique.
		let key = text(room.key, 64) ?? String(index + 1);
		while (keys.has(key)) key = `${key}+`;
		keys.add(key);
		rooms.push({ ...valid, key });
	}
	const active = rooms.filter((room) => room.status === 'active');
	const currency = (rules.controlled ? active[0]?.currency : (text(input.currency, 3)?.toLowerCase() ?? rooms.find((room) => room.currency)?.currency)) ?? null;
	const given = multi ? amountOf(input.amount, 'amount') : null;
	const priced = active.length > 0 && active.every((room) => room.amount !== null);
	const paymentModel = input.paymentModel && PAYMENT_MODELS.includes(input.paymentModel) ? input.paymentModel : null;
	return {
		rooms,
		amount: given ?? (multi ? (priced ? active.reduce((sum, room) => sum + room.amount!, 0) : null) : (rooms[0].amount ?? null)),
		currency,
		taxes: factOf(input.taxes),
		commission: factOf(input.commission),
		paymentModel,
		comments: texts(input.comments),
		specialRequests: texts(input.specialRequests),
		guest: { name: guestName, email, phone: text(input.guest?.phone, 40) },
	};
}

async function validateRoom(
	tx: Queryable,
	catalog: HotelCatalog,
	room: RoomInput,
	input: StayInput,
	rules: StayRules,
	field: (name: string) => string,
): Promise<Omit<ValidRoom, 'key'>> {
	const roomType = text(room.roomType, 64);
	if (!roomType) throw invalid(field('roomType'), 'The room type is missing.');
	let stay: { arrival: string; departure: string };
	try {
		stay = validateStay(room.arrival ?? input.arrival, room.departure ?? input.departure, { today: rules.allowPast ? '0000-01-01' : rules.today });
	} catch (error) {
		// validateStay names "arrival"/"departure"; in a list of rooms say which room.
		const hotelError = error as { field?: string; message: string };
		throw invalid(field(hotelError.field ?? 'arrival'), hotelError.message);
	}
	const units = count(room.units, field('units'), 1, 1, MAX_UNITS);
	const adults = count(room.adults, field('adults'), rules.controlled ? 1 : 0, 1, MAX_GUESTS);
	const children = count(room.children, field('children'), 0, 0, MAX_GUESTS);
	const childAges = Array.isArray(room.childAges) ? room.childAges.filter((age) => Number.isInteger(age) && age >= 0 && age < 18).slice(0, children) : [];
	if (!rules.allowUnknownRoomType) {
		const { maxOccupancy } = await catalog.requireRoomType(roomType, tx);
		if (rules.controlled && adults + children > maxOccupancy * units) {
			throw invalid(field('adults'), `${adults + children} guests do not fit in ${units} room(s) of type ${roomType} (at most ${maxOccupancy} each).`);
		}
	}
	const ratePlan = text(room.ratePlan, 64);
	let amount = amountOf(room.amount, field('amount'));
	let currency = text(room.currency, 3)?.toLowerCase() ?? null;
	if (rules.controlled) {
		if (!ratePlan) throw invalid(field('ratePlan'), 'The rate plan is missing.');
		const plan = await catalog.requireRatePlan(ratePlan, tx);
		currency = plan.currency;
		const unchanged = rules.current?.roomStays.find(
			(old) => old.status === 'active' && old.roomType === roomType && old.ratePlan === ratePlan && old.arrival === stay.arrival && old.departure === stay.departure && old.units === units,
		);
		if (amount === null && unchanged) amount = unchanged.amount;
		if (amount === null) {
			const price = (await catalog.prices(roomType, stay.arrival, stay.departure, tx)).find((p) => p.ratePlan === ratePlan);
			if (!price) throw invalid(field('ratePlan'), `Rate plan ${ratePlan} has no rate for every night of ${roomType} from ${stay.arrival} to ${stay.departure}.`);
			amount = price.perRoom * units;
		}
	}
	return {
		status: room.status === 'cancelled' ? 'cancelled' : 'active',
		roomType,
		ratePlan,
		arrival: stay.arrival,
		departure: stay.departure,
		units,
		adults,
		children,
		childAges,
		guestName: text(room.guestName, 200),
		amount,
		taxes: factOf(room.taxes),
		currency,
		nightly: Array.isArray(room.nightly) ? room.nightly.filter((night) => typeof night?.date === 'string' && Number.isInteger(night.amount)).map(({ date, amount: price }) => ({ date, amount: price })) : [],
		overbooked: false,
	};
}

/** Rooms of one type in one line, and guests in one room: beyond these it is a typo or an attack, not a booking. */
const MAX_UNITS = 99;
const MAX_GUESTS = 99;
/** Minor units the store keeps exactly (2^53 − 1: a float8 read back without loss). */
const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

function count(value: unknown, field: string, min: number, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
	const n = value === undefined || value === null || value === '' ? fallback : Number(value);
	if (!Number.isInteger(n) || n < min) throw invalid(field, `${field} must be a whole number of at least ${min}.`);
	if (n > max) throw invalid(field, `${field} must be at most ${max} (got ${n}).`);
	return n;
}

function amountOf(value: unknown, field: string): number | null {
	return value === undefined || value === null ? null : count(value, field, 0, 0, MAX_AMOUNT);
}

/** A figure a channel adds for information (taxes, commission): an odd one (negative, fractional) is dropped, never a reason to refuse a booking. */
function factOf(value: unknown): number | null {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

export function text(value: unknown, max: number): string | null {
	const t = typeof value === 'string' ? value.trim() : '';
	return t ? t.slice(0, max) : null;
}

function texts(value: unknown): string[] {
	return Array.isArray(value) ? value.map((line) => text(line, 2000)).filter((line): line is string => line !== null).slice(0, 50) : [];
}
