/**
 * The dedupe keys (and the Message-IDs hashed from them) pinned to literal strings, one or more per
 * template kind. These keys are what makes a redelivered event not send a second e-mail: the rows
 * already in a hotel's outbox carry them, so a release that changed one would send those e-mails
 * again. The expected strings were taken from the code before the rules moved into
 * lib/email/dedupeKeys.ts; a failure here means keys changed, not that the test needs updating.
 * Driven through composeEmail, the one path every operation of the Hotel Email node takes.
 */
import { composeEmail, type ComposeInput } from '../../lib/email/compose';
import { HotelError } from '../../lib/errors';
import { TEMPLATE_KINDS, type TemplateKind } from '../../lib/email/templates';
import { thrownBy } from '../support/thrown';

const hotel = { name: 'Hotel Seeblick', email: 'desk@seeblick.example' };
const reservation = { id: 'R-2026-0042', status: 'booked', roomType: 'DBL', arrival: '2026-05-01', departure: '2026-05-04', adults: 2, amount: 36000, currency: 'eur', version: 3 };
const payment = { paymentId: 'pi_123', reservationId: 'R-2026-0042', amount: 12000, amountReceived: 12000, currency: 'eur', status: 'succeeded' };
const alert = { integration: 'stripe', error: 'Stripe answered 503.', consecutiveFailures: 3, failingSince: '2026-05-01T10:00:00.000Z' };

const compose = (template: TemplateKind, source: unknown, over: Partial<ComposeInput> = {}) =>
	composeEmail({ template, hotel, source, to: 'zoe@example.com', ...over });

const errorOf = (fn: () => unknown): HotelError => thrownBy(fn, HotelError);

// [template, source, own key (Options → Dedupe Key), expected key, expected Message-ID]
const pinned: Array<[TemplateKind, unknown, string | undefined, string, string]> = [
	// Reservations: template + reservation id + version (trimmed; version 0 is a version).
	['reservationConfirmation', reservation, undefined, 'reservationConfirmation:reservation:R-2026-0042:v3', '<76061f4065914b5b9ac2f71a955215c584ea4fda@seeblick.example>'],
	['reservationConfirmation', { ...reservation, version: ' 3 ' }, undefined, 'reservationConfirmation:reservation:R-2026-0042:v3', '<76061f4065914b5b9ac2f71a955215c584ea4fda@seeblick.example>'],
	['reservationConfirmation', { ...reservation, version: '7' }, undefined, 'reservationConfirmation:reservation:R-2026-0042:v7', '<869f68cbc56d761197d01109b9964d1d52ac6b69@seeblick.example>'],
	['reservationConfirmation', { ...reservation, version: 0 }, undefined, 'reservationConfirmation:reservation:R-2026-0042:v0', '<1a42a0a15440e447820143a7e837ed32577534f4@seeblick.example>'],
	['reservationConfirmation', { ...reservation, id: ' R-1 ' }, undefined, 'reservationConfirmation:reservation:R-1:v3', '<2b6fabcc80bb7b92aaf4831106b893a9d1d8bfde@seeblick.example>'],
	['reservationModification', { ...reservation, version: 4 }, undefined, 'reservationModification:reservation:R-2026-0042:v4', '<35a35048081d157e2d340f27e6f12cc48fec2d0e@seeblick.example>'],
	['reservationCancellation', { ...reservation, version: 5 }, undefined, 'reservationCancellation:reservation:R-2026-0042:v5', '<50170fe2fc7294a2c907d9d965856d86fc7091da@seeblick.example>'],
	// Payments: template + payment id (paymentId, else id; a Square ledger id as it is).
	['paymentReceipt', payment, undefined, 'paymentReceipt:payment:pi_123', '<1d44264c80ced56928c6b775cb89470422b779a4@seeblick.example>'],
	['paymentReceipt', { ...payment, paymentId: undefined, id: 'pi_from_id' }, undefined, 'paymentReceipt:payment:pi_from_id', '<15e5a64d4c9fc1b1ff8acdfe019a11fed076185b@seeblick.example>'],
	['paymentReceipt', { ...payment, paymentId: 'square:KkAkhdMsgzn59SM8A89WgKwekxLZY' }, undefined, 'paymentReceipt:payment:square:KkAkhdMsgzn59SM8A89WgKwekxLZY', '<8cd90b32200c712d2f11628d50746f9f8f8432dd@seeblick.example>'],
	['paymentFailed', { paymentId: 'pi_124', amount: 5000, currency: 'JPY', status: 'failed' }, undefined, 'paymentFailed:payment:pi_124', '<b7431629d68b21ec0f85022aa172bd5794ac4d9c@seeblick.example>'],
	// Refunds: the payment's key + the refunded total as the e-mail shows it (amount and currency).
	['paymentRefund', { ...payment, amountRefunded: 5000 }, undefined, 'paymentRefund:payment:pi_123:refunded:50.00 EUR', '<8e39c92e1b26eeab06e9a59d6c78e4ead7be7952@seeblick.example>'],
	['paymentRefund', { ...payment, amountRefunded: 12000 }, undefined, 'paymentRefund:payment:pi_123:refunded:120.00 EUR', '<8ec5c96e4f560c346f0f98e0e1fdefbd00c9de46@seeblick.example>'],
	['paymentRefund', { ...payment, amountRefunded: 5000, currency: 'JPY' }, undefined, 'paymentRefund:payment:pi_123:refunded:5000 JPY', '<0d45580829dbc1a915f35c953570169563304f86@seeblick.example>'],
	['paymentRefund', { ...payment, amountRefunded: 5000, currency: undefined }, undefined, 'paymentRefund:payment:pi_123:refunded:50.00', '<26b93b7d9c84066c78541d673a93f22199e15d6e@seeblick.example>'],
	// Alerts: template + the health check's alertKey, else integration + when the run began (failingSince or since), else the failure count.
	['integrationAlert', alert, undefined, 'integrationAlert:alert:stripe:2026-05-01T10:00:00.000Z', '<917af73b3b925e6af267cf2b26a1c538314ae55d@seeblick.example>'],
	['integrationAlert', { ...alert, alertKey: 'run-7' }, undefined, 'integrationAlert:alert:run-7', '<80ff70662c1266caea0060f49c2b4cc32a5b275b@seeblick.example>'],
	['integrationAlert', { integration: 'smtp', since: '2026-06-01' }, undefined, 'integrationAlert:alert:smtp:2026-06-01', '<9a90949c9e9f81e12c34a63ef4c082cbd9bbb34f@seeblick.example>'],
	['integrationAlert', { integration: 'smtp', consecutiveFailures: 4 }, undefined, 'integrationAlert:alert:smtp:4', '<36eb07175b4a68b0d92b79f83553e501b7a48243@seeblick.example>'],
	// The hotel's own key: template + 'key:' + the key, trimmed; a blank one is no key.
	['reservationConfirmation', reservation, 'staff-copy', 'reservationConfirmation:key:staff-copy', '<94d6c9ee2436fc526b77af527e5d3b83e5533fbc@seeblick.example>'],
	['reservationConfirmation', reservation, '  padded key  ', 'reservationConfirmation:key:padded key', '<7d46231ec961214da4927ae6ebb60e9a793fc89f@seeblick.example>'],
	['reservationConfirmation', reservation, '   ', 'reservationConfirmation:reservation:R-2026-0042:v3', '<76061f4065914b5b9ac2f71a955215c584ea4fda@seeblick.example>'],
	['reservationConfirmation', { ...reservation, version: null }, 'k', 'reservationConfirmation:key:k', '<b8d22ed8fa4501702ac7e50df454481293af8860@seeblick.example>'],
	['paymentRefund', { ...payment, amountRefunded: 5000 }, 'own', 'paymentRefund:key:own', '<40e0030b7b8a3a8ba4b52c3168f1158145ec4953@seeblick.example>'],
];

const cases = pinned.map(([template, source, dedupeKey, key, messageId]) => ({ template, source, dedupeKey, key, messageId }));

it.each(cases)('$template → $key', ({ template, source, dedupeKey, key, messageId }) => {
	const email = compose(template, source, { dedupeKey });
	expect(email.dedupeKey).toBe(key);
	expect(email.messageId).toBe(messageId);
});

it('pins at least one key for every template kind, the refund case included', () => {
	expect(new Set(pinned.filter(([, , own]) => own === undefined).map(([template]) => template))).toEqual(new Set(TEMPLATE_KINDS));
});

it('has no key for a reservation without a version, a refund of nothing, or a key over 500 characters', () => {
	expect(errorOf(() => compose('reservationConfirmation', { ...reservation, version: null }))).toMatchObject({ field: 'dedupeKey', message: expect.stringMatching(/Dedupe Key/) });
	// A refund confirmation needs a refund, even when the hotel sets its own key.
	for (const dedupeKey of [undefined, 'own']) {
		expect(errorOf(() => compose('paymentRefund', payment, { dedupeKey }))).toMatchObject({ field: 'payment', message: expect.stringMatching(/no refund/) });
		expect(errorOf(() => compose('paymentRefund', { ...payment, amountRefunded: 0 }, { dedupeKey }))).toMatchObject({ field: 'payment' });
	}
	expect(errorOf(() => compose('integrationAlert', alert, { dedupeKey: 'x'.repeat(480) }))).toMatchObject({ field: 'dedupeKey', message: expect.stringMatching(/longer than 500/) });
	// 'integrationAlert:key:' + 479 characters = 500: the longest key there is.
	expect(compose('integrationAlert', alert, { dedupeKey: 'x'.repeat(479) }).dedupeKey).toHaveLength(500);
});

it('derives the Message-ID from the key alone, on the hotel’s domain or a reserved one', () => {
	const withoutHotelEmail = compose('paymentReceipt', payment, { hotel: { name: 'Hotel Seeblick' } });
	expect(withoutHotelEmail.messageId).toBe('<1d44264c80ced56928c6b775cb89470422b779a4@hotel-integrations.invalid>');
});
