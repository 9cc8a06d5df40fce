/**
 * The booking-engine API's routes and the checks of their requests made before a workflow starts:
 * form (a JSON object, the fields present, the right types) and the stay's dates (real, in order,
 * not past, not too long). What needs the store — room types, rooms left — is the store's to check
 * (the trigger refuses a sold-out stay before the workflow too; see admission.ts). Either way the
 * caller gets a status and the field at fault.
 */
import { validateStay } from '../inventory/dates';
import { HotelError, HttpRefusal } from '../errors';

export type Route = 'availability' | 'createReservation' | 'getReservation' | 'changeReservation' | 'cancelReservation';

export const ROUTES: Array<{ route: Route; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; output: string }> = [
	{ route: 'availability', method: 'GET', path: 'availability', output: 'Availability' },
	{ route: 'createReservation', method: 'POST', path: 'reservations', output: 'Create Reservation' },
	{ route: 'getReservation', method: 'GET', path: 'reservations/:id', output: 'Get Reservation' },
	{ route: 'changeReservation', method: 'PUT', path: 'reservations/:id', output: 'Change Reservation' },
	{ route: 'cancelReservation', method: 'DELETE', path: 'reservations/:id', output: 'Cancel Reservation' },
];

export const MAX_BODY_BYTES = 64 * 1024;

/** A request the API refuses before any execution (lib/errors.ts's one refusal type). */
const refusal = (status: 400 | 404 | 405 | 413 | 422, message: string, field?: string) => new HttpRefusal(status, message, { field });

/** Which route a request is, from its method and whether the path carries a reservation id. */
export function routeOf(method: string, id: string | undefined): Route {
	const m = method.toUpperCase();
	if (id === undefined) {
		if (m === 'GET') return 'availability';
		if (m === 'POST') return 'createReservation';
	} else {
		if (m === 'GET') return 'getReservation';
		if (m === 'PUT') return 'changeReservation';
		if (m === 'DELETE') return 'cancelReservation';
	}
	throw refusal(405, `${m} is not supported on this path.`);
}

const STAY_FIELDS = ['roomType', 'ratePlan', 'arrival', 'departure', 'rooms', 'adults', 'children', 'roomStays', 'guest'] as const;
/** One room of a multi-room booking: its type and plan, guests, and (when not the booking's) its own dates. */
const ROOM_FIELDS = ['roomType', 'ratePlan', 'arrival', 'departure', 'adults', 'children', 'childAges', 'guestName'] as const;
const MAX_ROOMS = 20;

function requireObject(body: unknown): Record<string, unknown> {
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw refusal(400, 'The request body must be a JSON object.');
	return body as Record<string, unknown>;
}

function checkTypes(body: Record<string, unknown>) {
	for (const f of ['roomType', 'ratePlan', 'arrival', 'departure'] as const) {
		if (body[f] !== undefined && typeof body[f] !== 'string') throw refusal(422, `${f} must be a string.`, f);
	}
	for (const f of ['rooms', 'adults', 'children'] as const) {
		if (body[f] !== undefined && !(typeof body[f] === 'number' && Number.isInteger(body[f]))) throw refusal(422, `${f} must be a whole number.`, f);
	}
	if (body.roomStays !== undefined) checkRooms(body.roomStays);
	if (body.guest !== undefined) {
		if (!body.guest || typeof body.guest !== 'object' || Array.isArray(body.guest)) throw refusal(422, 'guest must be an object.', 'guest');
		for (const f of ['name', 'email', 'phone']) {
			const v = (body.guest as Record<string, unknown>)[f];
			if (v !== undefined && typeof v !== 'string') throw refusal(422, `guest.${f} must be a string.`, `guest.${f}`);
		}
	}
}

function checkRooms(value: unknown) {
	if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ROOMS) throw refusal(422, `roomStays must be a list of 1 to ${MAX_ROOMS} rooms.`, 'roomStays');
	value.forEach((room, i) => {
		const field = (name: string) => `roomStays[${i}].${name}`;
		if (!room || typeof room !== 'object' || Array.isArray(room)) throw refusal(422, `roomStays[${i}] must be an object.`, `roomStays[${i}]`);
		const r = room as Record<string, unknown>;
		for (const f of ['roomType', 'ratePlan', 'arrival', 'departure', 'guestName'] as const) {
			if (r[f] !== undefined && typeof r[f] !== 'string') throw refusal(422, `${field(f)} must be a string.`, field(f));
		}
		for (const f of ['adults', 'children'] as const) {
			if (r[f] !== undefined && !(typeof r[f] === 'number' && Number.isInteger(r[f]))) throw refusal(422, `${field(f)} must be a whole number.`, field(f));
		}
		if (r.childAges !== undefined && !(Array.isArray(r.childAges) && r.childAges.every((age) => Number.isInteger(age)))) {
			throw refusal(422, `${field('childAges')} must be a list of whole numbers.`, field('childAges'));
		}
		if (typeof r.roomType !== 'string' || r.roomType === '') throw refusal(422, `${field('roomType')} is required.`, field('roomType'));
	});
}

/** Only the stay fields (and of each room, only the room fields), so nothing else a caller sends reaches the store. */
function pickStay(body: Record<string, unknown>): Record<string, unknown> {
	const stay = Object.fromEntries(STAY_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
	if (Array.isArray(body.roomStays)) {
		stay.roomStays = (body.roomStays as Array<Record<string, unknown>>).map((room) => Object.fromEntries(ROOM_FIELDS.filter((f) => room[f] !== undefined).map((f) => [f, room[f]])));
	}
	return stay;
}

export function checkCreateBody(raw: unknown): Record<string, unknown> {
	const body = requireObject(raw);
	checkTypes(body);
	// One room in the short form (roomType, ratePlan), or several in roomStays.
	const required = body.roomStays === undefined ? (['roomType', 'ratePlan', 'arrival', 'departure'] as const) : (['arrival', 'departure'] as const);
	for (const f of required) {
		if (body[f] === undefined || body[f] === '') throw refusal(422, `${f} is required.`, f);
	}
	const guest = body.guest as Record<string, unknown> | undefined;
	if (!guest || typeof guest.name !== 'string' || guest.name.trim() === '') throw refusal(422, 'guest.name is required.', 'guest.name');
	checkStayDates(body.arrival, body.departure);
	return pickStay(body);
}

export function checkChangeBody(raw: unknown): Record<string, unknown> {
	const body = requireObject(raw);
	checkTypes(body);
	const stay = pickStay(body);
	if (Object.keys(stay).length === 0) throw refusal(422, `Nothing to change: give at least one of ${STAY_FIELDS.join(', ')}.`);
	// One date alone is checked against the reservation's other one, by the workflow.
	if (body.arrival !== undefined && body.departure !== undefined) checkStayDates(body.arrival, body.departure);
	return stay;
}

export function checkAvailabilityQuery(query: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const f of ['arrival', 'departure'] as const) {
		if (typeof query[f] !== 'string' || query[f] === '') throw refusal(422, `${f} is required (YYYY-MM-DD).`, f);
		out[f] = query[f];
	}
	checkStayDates(out.arrival, out.departure);
	if (typeof query.roomType === 'string' && query.roomType !== '') out.roomType = query.roomType;
	for (const f of ['adults', 'children', 'rooms'] as const) {
		if (query[f] === undefined || query[f] === '') continue;
		const n = Number(query[f]);
		if (!Number.isInteger(n) || n < 0) throw refusal(422, `${f} must be a whole number.`, f);
		out[f] = n;
	}
	return out;
}

/**
 * Real dates, arrival before departure, not in the past, not too long: the same rules the store
 * applies (validateStay), checked before a workflow starts so a bad date starts no execution.
 */
function checkStayDates(arrival: unknown, departure: unknown): void {
	try {
		validateStay(arrival, departure);
	} catch (error) {
		if (error instanceof HotelError) throw refusal(422, error.message, error.field);
		throw error;
	}
}

export function checkReservationId(id: unknown): string {
	if (typeof id !== 'string' || !/^[\w.:-]{1,64}$/.test(id)) throw refusal(404, 'No such reservation.', 'id');
	return id;
}
