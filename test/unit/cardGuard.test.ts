import { assertNoCardData, CardDataError, containsCardNumber, passesLuhn } from '../../lib/payments/cardGuard';

describe('card-number guard', () => {
	it.each([
		['4242424242424242', 'Visa test card'],
		['4242 4242 4242 4242', 'grouped by spaces'],
		['5555-5555-5555-4444', 'grouped by dashes'],
		['378282246310005', 'Amex, 15 digits'],
		['4222222222222', '13 digits'],
		['6011111111111117', 'Discover'],
		['note: card 4000056655665556 given by phone', 'inside text'],
	])('finds %s (%s)', (value) => {
		expect(containsCardNumber(value)).toBe(true);
	});

	it.each([
		['4242424242424241', 'fails Luhn'],
		['123456789012', '12 digits'],
		['RES-2026-000123', 'a reservation id'],
		['+44 20 7946 0958', 'a phone number'],
		['pm_card_visa', 'a payment method token'],
		['20261125', 'a date'],
	])('leaves %s alone (%s)', (value) => {
		expect(containsCardNumber(value)).toBe(false);
	});

	it('implements Luhn', () => {
		expect(passesLuhn('79927398713')).toBe(true);
		expect(passesLuhn('79927398710')).toBe(false);
	});

	it('names the field, nested ones included, and never echoes the value', () => {
		const number = '4242424242424242';
		let error: unknown;
		try {
			assertNoCardData({ reservationId: 'R1', metadata: { note: `card ${number}` } });
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(CardDataError);
		expect((error as CardDataError).field).toBe('metadata.note');
		expect((error as Error).message).toContain('metadata.note');
		expect((error as Error).message).not.toContain(number);
		expect((error as Error).message).not.toContain('4242');
	});

	it('accepts ordinary payment fields', () => {
		expect(() => assertNoCardData({ reservationId: 'R-1', amount: 12000, currency: 'eur', paymentMethod: 'pm_card_visa' })).not.toThrow();
	});
});
