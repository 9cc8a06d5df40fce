/**
 * What the Booking Engine Trigger refuses before a workflow starts (lib/booking/apiRequests.ts):
 * shape, and the stay's dates — so a request with a bad date starts no execution.
 */
import { HttpRefusal } from '../../lib/errors';
import { checkAvailabilityQuery, checkChangeBody, checkCreateBody } from '../../lib/booking/apiRequests';
import { addDays, today } from '../../lib/inventory/dates';

const day = (n: number) => addDays(today(), n);
const booking = (over: Record<string, unknown> = {}) => ({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(12), adults: 2, guest: { name: 'Zoë' }, ...over });

function refusal(check: () => unknown): { status: number; field?: string; message: string } {
	try {
		check();
	} catch (error) {
		expect(error).toBeInstanceOf(HttpRefusal);
		const e = error as HttpRefusal;
		return { status: e.status, field: e.field, message: e.message };
	}
	throw new Error('not refused');
}

it.each([
	['a date that does not exist', { arrival: '2031-02-30' }, 'arrival'],
	['not a date', { departure: 'tomorrow' }, 'departure'],
	['departure before arrival', { arrival: day(12), departure: day(10) }, 'departure'],
	['arrival in the past', { arrival: day(-3), departure: day(1) }, 'arrival'],
	['a stay of over a year', { departure: day(10 + 400) }, 'departure'],
])('refuses a booking with %s, naming the field', (_what, over, field) => {
	expect(refusal(() => checkCreateBody(booking(over)))).toMatchObject({ status: 422, field });
});

it('checks the dates of availability questions and of a change giving both dates', () => {
	expect(refusal(() => checkAvailabilityQuery({ arrival: day(5), departure: day(5) }))).toMatchObject({ status: 422, field: 'departure' });
	expect(refusal(() => checkChangeBody({ arrival: day(-1), departure: day(2) }))).toMatchObject({ status: 422, field: 'arrival' });
	// One date alone is the workflow's to check against the reservation's other date.
	expect(checkChangeBody({ departure: day(3) })).toEqual({ departure: day(3) });
	expect(checkAvailabilityQuery({ arrival: day(5), departure: day(7), adults: '2' })).toEqual({ arrival: day(5), departure: day(7), adults: 2 });
	expect(checkCreateBody(booking())).toMatchObject({ arrival: day(10), departure: day(12) });
});
