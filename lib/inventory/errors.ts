/**
 * What can go wrong with a booking or an inventory change, in terms a front desk and an API
 * caller understand. `status` is the HTTP answer the booking-engine API gives; `field` names the
 * input at fault. Nodes turn these into NodeOperationError with the same message.
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
