import { idempotencyKey, SQUARE_MAX_KEY } from '../../lib/payments/idempotency';

describe('idempotency keys', () => {
	it('is the same for the same reservation, operation and reference', () => {
		expect(idempotencyKey('create', 'R-100', 'deposit')).toBe(idempotencyKey('create', 'R-100', 'deposit'));
	});

	it('differs by operation, reservation and reference', () => {
		const keys = new Set([
			idempotencyKey('create', 'R-100', 'deposit'),
			idempotencyKey('create', 'R-100', 'balance'),
			idempotencyKey('create', 'R-101', 'deposit'),
			idempotencyKey('refund', 'R-100', 'deposit'),
		]);
		expect(keys.size).toBe(4);
	});

	it('stays readable for ordinary ids', () => {
		expect(idempotencyKey('capture', 'pi_123', 'full')).toBe('hotel-capture-pi_123-full');
	});

	it('hashes Unicode and SQL metacharacters into a valid header of at most 255 chars', () => {
		const key = idempotencyKey('create', "Zoë's room'; DROP TABLE payments;--", 'dépôt');
		expect(key).toMatch(/^hotel-create-[0-9a-f]{64}$/);
		expect(idempotencyKey('create', 'x'.repeat(400)).length).toBeLessThanOrEqual(255);
	});

	it("fits Square's 45 characters: readable when it fits, else a 128-bit digest of the same parts", () => {
		expect(idempotencyKey('create', 'R-1001', 'full', SQUARE_MAX_KEY)).toBe('hotel-create-R-1001-full');
		const long = idempotencyKey('refund', 'KkAkhdMsgzn59SM8A89WgKwekxLZY', 'amount-5000', SQUARE_MAX_KEY);
		expect(long).toMatch(/^hotel-refund-[0-9a-f]{32}$/);
		expect(long).toBe(idempotencyKey('refund', 'KkAkhdMsgzn59SM8A89WgKwekxLZY', 'amount-5000', SQUARE_MAX_KEY));
		expect(long).not.toBe(idempotencyKey('refund', 'KkAkhdMsgzn59SM8A89WgKwekxLZY', 'amount-5001', SQUARE_MAX_KEY));
		expect(idempotencyKey('create', "Zoë's room'; DROP TABLE payments;--", 'dépôt', SQUARE_MAX_KEY)).toHaveLength(45);
	});

	it('refuses an empty subject', () => {
		expect(() => idempotencyKey('create', '  ')).toThrow(/reservation or payment id/);
	});
});
