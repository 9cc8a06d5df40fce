/**
 * The booking-engine API's routes and the shape checks of their requests. Checks here are about
 * form (a JSON object, the fields present, the right types); the store checks meaning (dates,
 * room types, sold out). Either way the caller gets a status and the field at fault.
 */
export type Route = 'availability' | 'createReservation' | 'getReservation' | 'changeReservation' | 'cancelReservation';

export const ROUTES: Array<{ route: Route; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; output: string }> = [
	{ route: 'availability', method: 'GET', path: 'availability', output: 'Availability' },
	{ route: 'createReservation', method: 'POST', path: 'reservations', output: 'Create Reservation' },
	{ route: 'getReservation', method: 'GET', path: 'reservations/:id', output: 'Get Reservation' },
	{ route: 'changeReservation', method: 'PUT', path: 'reservations/:id', output: 'Change Reservation' },
	{ route: 'cancelReservation', method: 'DELETE', path: 'reservations/:id', output: 'Cancel Reservation' },
];

export const MAX_BODY_BYTES = 64 * 1024;

export class ApiRequestError extends Error {
	constructor(
		readonly status: 400 | 404 | 405 | 413 | 422,
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'ApiRequestError';
	}
}

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
	throw new ApiRequestError(405, `${m} is not supported on this path.`);
}

const STAY_FIELDS = ['roomType', 'ratePlan', 'arrival', 'departure', 'rooms', 'adults', 'children', 'guest'] as const;

function requireObject(body: unknown): Record<string, unknown> {
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiRequestError(400, 'The request body must be a JSON object.');
	return body as Record<string, unknown>;
}

function checkTypes(body: Record<string, unknown>) {
	for (const f of ['roomType', 'ratePlan', 'arrival', 'departure'] as const) {
		if (body[f] !== undefined && typeof body[f] !== 'string') throw new ApiRequestError(422, `${f} must be a string.`, f);
	}
	for (const f of ['rooms', 'adults', 'children'] as const) {
		if (body[f] !== undefined && !(typeof body[f] === 'number' && Number.isInteger(body[f]))) throw new ApiRequestError(422, `${f} must be a whole number.`, f);
	}
	if (body.guest !== undefined) {
		if (!body.guest || typeof body.guest !== 'object' || Array.isArray(body.guest)) throw new ApiRequestError(422, 'guest must be an object.', 'guest');
		for (const f of ['name', 'email', 'phone']) {
			const v = (body.guest as Record<string, unknown>)[f];
			if (v !== undefined && typeof v !== 'string') throw new ApiRequestError(422, `guest.${f} must be a string.`, `guest.${f}`);
		}
	}
}

/** Only the stay fields, so nothing else a caller sends reaches the store. */
function pickStay(body: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(STAY_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
}

export function checkCreateBody(raw: unknown): Record<string, unknown> {
	const body = requireObject(raw);
	checkTypes(body);
	for (const f of ['roomType', 'ratePlan', 'arrival', 'departure'] as const) {
		if (body[f] === undefined || body[f] === '') throw new ApiRequestError(422, `${f} is required.`, f);
	}
	const guest = body.guest as Record<string, unknown> | undefined;
	if (!guest || typeof guest.name !== 'string' || guest.name.trim() === '') throw new ApiRequestError(422, 'guest.name is required.', 'guest.name');
	return pickStay(body);
}

export function checkChangeBody(raw: unknown): Record<string, unknown> {
	const body = requireObject(raw);
	checkTypes(body);
	const stay = pickStay(body);
	if (Object.keys(stay).length === 0) throw new ApiRequestError(422, `Nothing to change: give at least one of ${STAY_FIELDS.join(', ')}.`);
	return stay;
}

export function checkAvailabilityQuery(query: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const f of ['arrival', 'departure'] as const) {
		if (typeof query[f] !== 'string' || query[f] === '') throw new ApiRequestError(422, `${f} is required (YYYY-MM-DD).`, f);
		out[f] = query[f];
	}
	if (typeof query.roomType === 'string' && query.roomType !== '') out.roomType = query.roomType;
	for (const f of ['adults', 'children', 'rooms'] as const) {
		if (query[f] === undefined || query[f] === '') continue;
		const n = Number(query[f]);
		if (!Number.isInteger(n) || n < 0) throw new ApiRequestError(422, `${f} must be a whole number.`, f);
		out[f] = n;
	}
	return out;
}

export function checkReservationId(id: unknown): string {
	if (typeof id !== 'string' || !/^[\w.:-]{1,64}$/.test(id)) throw new ApiRequestError(404, 'No such reservation.', 'id');
	return id;
}
