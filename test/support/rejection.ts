import { HttpRefusal } from '../../lib/errors';
import { thrownBy } from './thrown';

/** The HttpRefusal `fn` throws (fails the test if it throws anything else, or nothing). */
export function rejection(fn: () => unknown): HttpRefusal {
	return thrownBy(fn, HttpRefusal);
}
