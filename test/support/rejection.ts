import { HttpRefusal } from '../../lib/errors';

/** The HttpRefusal `fn` throws (fails the test if it throws anything else, or nothing). */
export function rejection(fn: () => unknown): HttpRefusal {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(HttpRefusal);
		return error as HttpRefusal;
	}
	throw new Error('expected a rejection');
}
