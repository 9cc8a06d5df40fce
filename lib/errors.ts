/**
 * The package's own error types, in one place. Two kinds, by who is at fault and who reads them:
 *
 * - `HotelError`: a booking, inventory, channel, calendar or e-mail operation that cannot be done
 *   (invalid input, unknown reservation, sold out, conflict), in terms a front desk and an API
 *   caller understand. `status` is the HTTP answer the booking-engine API gives; `field` names
 *   the input at fault. The action nodes show it as a NodeOperationError with the same message
 *   (nodes/shared/nodeErrors.ts).
 * - `HttpRefusal`: a request a trigger refuses before any execution starts (a bad signature or
 *   token, a body too large or malformed, a push that cannot be read). `status` is the HTTP
 *   answer, `code` a stable word for logs and clients, `headers` what the answer must carry
 *   (WWW-Authenticate). The triggers answer it through one responder (nodes/shared/webhookAnswer.ts).
 *
 * The partner's failures (a gateway or channel down or refusing) are `PartnerError`s of the
 * resilience policy (lib/resilience/policy.ts), because retrying them is its job; the OpenTravel
 * layer's `OtaMessageError` (lib/ota/errors.ts) names the element at fault in a message. Both are
 * translated by the same nodeErrors.ts.
 */
export type HotelErrorCode = 'invalid' | 'not_found' | 'sold_out' | 'conflict';

const STATUS: Record<HotelErrorCode, number> = { invalid: 422, not_found: 404, sold_out: 409, conflict: 409 };

export class HotelError extends Error {
	readonly status: number;

	constructor(
		readonly code: HotelErrorCode,
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'HotelError';
		this.status = STATUS[code];
	}
}

export const invalid = (field: string, message: string) => new HotelError('invalid', message, field);

/** The stable code of a refusal that names none, by its HTTP status. */
const CODE_BY_STATUS: Record<number, string> = {
	400: 'bad_request',
	401: 'unauthorized',
	403: 'forbidden',
	404: 'not_found',
	405: 'method_not_allowed',
	409: 'conflict',
	413: 'too_large',
	422: 'invalid',
	500: 'unavailable',
	503: 'busy',
};

export interface RefusalDetails {
	/** A stable word for logs and clients (e.g. an authentication failure's reason). */
	code?: string;
	/** The input at fault, for an API caller. */
	field?: string;
	/** Headers the answer must carry. */
	headers?: Record<string, string>;
}

/** A request refused with an HTTP answer before any execution; nothing was changed. */
export class HttpRefusal extends Error {
	readonly code: string;
	readonly field?: string;
	readonly headers: Record<string, string>;

	constructor(
		readonly status: number,
		message: string,
		details: RefusalDetails = {},
	) {
		super(message);
		this.name = 'HttpRefusal';
		this.code = details.code ?? CODE_BY_STATUS[status] ?? 'refused';
		this.field = details.field;
		this.headers = details.headers ?? {};
	}

	/** The JSON body of the answer: the same shape as the booking-engine workflow's error answers. */
	get body(): { error: string; code: string; field: string | null } {
		return { error: this.message, code: this.code, field: this.field ?? null };
	}
}
