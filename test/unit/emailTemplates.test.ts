/**
 * The seven e-mails as a guest or the staff would get them: every kind renders from the item a
 * workflow has, values are escaped (a guest named <script> is text), the logo only takes http(s)
 * URLs, overrides replace the defaults and unknown placeholders are named, the text part has no
 * HTML, and the dedupe key and Message-ID are stable.
 */
import { composeEmail, type ComposeInput } from '../../lib/email/compose';
import { messageIdFor } from '../../lib/email/dedupeKeys';
import { TemplateError } from '../../lib/email/renderer';
import { placeholdersOf, TEMPLATE_KINDS, type TemplateKind } from '../../lib/email/templates';
import { HotelError } from '../../lib/errors';
import { thrownBy } from '../support/thrown';

const hotel = { name: 'Hotel Seeblick', logoUrl: 'https://seeblick.example/logo.png', phone: '+49 30 123', email: 'desk@seeblick.example', address: 'Uferweg 1, Berlin' };

const reservation = {
	id: 'R-2026-0042',
	channel: 'booking',
	channelReservationId: 'BDC-9',
	status: 'booked',
	roomType: 'DBL',
	ratePlan: 'BAR',
	arrival: '2026-05-01',
	departure: '2026-05-04',
	rooms: 1,
	adults: 2,
	children: 1,
	amount: 36000,
	currency: 'eur',
	guest: { name: 'Zoë Müller', email: 'zoe@example.com', phone: null },
	version: 3,
};
const payment = { paymentId: 'pi_123', reservationId: 'R-2026-0042', amount: 12000, amountReceived: 12000, currency: 'eur', status: 'succeeded' };
const failedPayment = { paymentId: 'pi_124', reservationId: 'R-2026-0042', amount: 5000, currency: 'JPY', status: 'failed', error: 'Your card was declined.' };
const alert = { integration: 'stripe', error: 'Stripe answered 503.', consecutiveFailures: 3, failingSince: '2026-05-01T10:00:00.000Z' };

const sources: Record<TemplateKind, unknown> = {
	reservationConfirmation: reservation,
	reservationModification: { ...reservation, status: 'modified', version: 4, departure: '2026-05-05' },
	reservationCancellation: { ...reservation, status: 'cancelled', version: 5 },
	paymentReceipt: payment,
	paymentFailed: failedPayment,
	paymentRefund: { ...payment, amountRefunded: 5000 },
	integrationAlert: alert,
};

const compose = (template: TemplateKind, over: Partial<ComposeInput> = {}) =>
	composeEmail({ template, hotel, source: sources[template], to: template === 'integrationAlert' ? 'it@seeblick.example' : 'zoe@example.com', ...over });

const errorOf = (fn: () => unknown): HotelError => thrownBy(fn, HotelError);

describe.each(TEMPLATE_KINDS)('%s', (kind) => {
	const email = compose(kind);

	it('renders subject, HTML and text with the hotel filled in', () => {
		expect(email.subject).not.toMatch(/\{\{|\n/);
		for (const part of [email.html, email.text]) {
			expect(part).not.toContain('{{');
			expect(part).toContain('Hotel Seeblick');
			expect(part).toContain('+49 30 123');
			expect(part).toContain('desk@seeblick.example');
			expect(part).toContain('Uferweg 1, Berlin');
		}
		expect(email.html).toContain('<img src="https://seeblick.example/logo.png" alt="Hotel Seeblick"');
		expect(email.html).toMatch(/^<!DOCTYPE html>/);
	});

	it('has a plain-text part without HTML', () => {
		expect(email.text).not.toMatch(/<\/?[a-z][^>]*>/i);
		expect(email.text).not.toMatch(/&(amp|lt|gt|quot|#39);/);
	});

	it('lists the placeholders it may use', () => {
		expect(placeholdersOf(kind)).toEqual(expect.arrayContaining(['hotel.name', 'hotel.logoUrl']));
	});
});

it('fills in the reservation: dates, nights, room, guests, total in the currency', () => {
	const email = compose('reservationConfirmation');
	expect(email.subject).toBe('Your reservation R-2026-0042 at Hotel Seeblick is confirmed');
	expect(email.text).toContain('Dear Zoë Müller,');
	expect(email.text).toMatch(/Arrival: +2026-05-01/);
	expect(email.text).toMatch(/Nights: +3/);
	expect(email.text).toMatch(/Guests: +2 adult\(s\), 1 child\(ren\)/);
	expect(email.text).toMatch(/Total: +360.00 EUR/);
	expect(email.html).toContain('360.00 EUR');
	expect(email.reservationId).toBe('R-2026-0042');
	expect(compose('reservationModification').text).toMatch(/Departure: +2026-05-05/);
	expect(compose('reservationCancellation').subject).toContain('has been cancelled');
});

it('lists every room of a multi-room reservation, and not a room the channel cancelled', () => {
	const roomStays = [
		{ key: '1', status: 'active', roomType: 'DBL', units: 1, adults: 2, children: 0 },
		{ key: '2', status: 'active', roomType: 'FAM', units: 1, adults: 2, children: 1 },
		{ key: '3', status: 'cancelled', roomType: 'STE', units: 1, adults: 2, children: 0 },
	];
	const email = compose('reservationConfirmation', { source: { ...reservation, roomStays } });
	expect(email.text).toMatch(/Rooms: +1 × DBL \(2 adults\); 1 × FAM \(2 adults, 1 child\)/);
	expect(email.text).not.toContain('STE');
	expect(email.html).toContain('1 × DBL (2 adults); 1 × FAM (2 adults, 1 child)');
	// A reservation as older items carry it (no rooms list): the one room as before.
	expect(compose('reservationConfirmation').text).toMatch(/Room: +DBL/);
});

it('fills in payments (minor units per currency) and the failure reason, and alerts', () => {
	const receipt = compose('paymentReceipt');
	expect(receipt.subject).toBe('Payment received for reservation R-2026-0042 – Hotel Seeblick');
	expect(receipt.text).toContain('120.00 EUR');
	expect(receipt.text).toContain('Dear guest,');
	const failed = compose('paymentFailed');
	expect(failed.text).toContain('5000 JPY'); // JPY has no minor unit
	expect(failed.html).toContain('Your card was declined.');
	const refund = compose('paymentRefund');
	expect(refund.subject).toBe('Refund for reservation R-2026-0042 – Hotel Seeblick');
	expect(refund.text).toContain('We have refunded 50.00 EUR of your payment of 120.00 EUR for reservation R-2026-0042.');
	const alertEmail = compose('integrationAlert');
	expect(alertEmail.subject).toBe('[Hotel Seeblick] stripe is failing (3 checks in a row)');
	expect(alertEmail.text).toContain('Stripe answered 503.');
	expect(alertEmail.text).toContain('since 2026-05-01T10:00:00.000Z');
});

it('renders a guest named <script> as text, with quotes and ampersands escaped, in every HTML part', () => {
	const guest = { name: `<script>alert("x")</script> Tom & 'Jerry'`, email: 'tom@example.com' };
	const email = compose('reservationConfirmation', { source: { ...reservation, guest } });
	expect(email.html).not.toContain('<script>');
	expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; &#39;Jerry&#39;');
	expect(email.text).toContain(`Dear <script>alert("x")</script> Tom & 'Jerry',`); // plain text is not HTML
	// The hotel's own fields are escaped too, in attributes as well.
	const hotelEmail = compose('reservationConfirmation', { hotel: { ...hotel, name: 'Bed & "Breakfast" <b>' } });
	expect(hotelEmail.html).toContain('alt="Bed &amp; &quot;Breakfast&quot; &lt;b&gt;"');
	expect(hotelEmail.html).not.toContain('<b>');
	// And the alert's error (it may quote a partner's HTML error page).
	expect(compose('integrationAlert', { source: { ...alert, error: '<html><script>x()</script>' } }).html).toContain('&lt;html&gt;&lt;script&gt;x()&lt;/script&gt;');
});

it('refuses a logo URL that is not http(s), naming the field', () => {
	for (const logoUrl of ['javascript:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', 'file:///etc/passwd', 'logo.png']) {
		const error = errorOf(() => compose('reservationConfirmation', { hotel: { ...hotel, logoUrl } }));
		expect(error).toBeInstanceOf(HotelError);
		expect(error.field).toBe('logoUrl');
	}
	const noLogo = compose('reservationConfirmation', { hotel: { ...hotel, logoUrl: '' } });
	expect(noLogo.html).not.toContain('<img');
	expect(noLogo.html).toContain('<strong style="font-size:20px">Hotel Seeblick</strong>');
});

it('takes the hotel’s own subject, HTML and text, and names unknown placeholders with the field', () => {
	const email = compose('reservationConfirmation', {
		overrides: { subject: 'Welcome, {{guest.name}}!', html: '<h1>Hi {{guest.name}}</h1>', text: '' },
	});
	expect(email.subject).toBe('Welcome, Zoë Müller!');
	expect(email.html).toBe('<h1>Hi Zoë Müller</h1>');
	expect(email.text).toContain('Thank you for booking'); // an empty override keeps the default
	const error = errorOf(() => compose('reservationConfirmation', { overrides: { html: '<p>{{guest.firstName}} {{payment.total}}</p>' } }));
	expect(error).toBeInstanceOf(TemplateError);
	expect(error.field).toBe('templateOverrides.html');
	expect(error.message).toContain('{{guest.firstName}}, {{payment.total}}');
	// A payment template knows no reservation fields, an alert no guest.
	expect(errorOf(() => compose('paymentReceipt', { overrides: { subject: '{{reservation.arrival}}' } })).message).toContain('{{reservation.arrival}}');
	expect(errorOf(() => compose('integrationAlert', { overrides: { text: '{{guest.name}}' } })).field).toBe('templateOverrides.text');
});

it('checks the recipient and the input, naming the field', () => {
	expect(errorOf(() => compose('reservationConfirmation', { to: '' })).field).toBe('to');
	expect(errorOf(() => compose('reservationConfirmation', { to: 'not-an-address' })).message).toMatch(/not a valid e-mail address/);
	expect(errorOf(() => compose('reservationConfirmation', { to: 'a@example.com\r\nBcc: x@example.com' })).field).toBe('to');
	expect(compose('reservationConfirmation', { to: 'Zoë <zoe@example.com>, desk@seeblick.example' }).to).toBe('"Zoë" <zoe@example.com>, desk@seeblick.example');
	expect(composeEmail({ template: 'reservationConfirmation', hotel, source: reservation, to: '', recipientOptional: true }).to).toBe('');
	expect(errorOf(() => compose('reservationConfirmation', { source: { guest: {} } })).field).toBe('reservation');
	expect(errorOf(() => compose('paymentReceipt', { source: {} })).field).toBe('payment');
	expect(errorOf(() => compose('integrationAlert', { source: 'not json' })).field).toBe('alert');
	expect(errorOf(() => compose('reservationConfirmation', { hotel: { ...hotel, name: ' ' } })).field).toBe('hotelName');
	// JSON text is accepted as well as an object.
	expect(compose('reservationConfirmation', { source: JSON.stringify(reservation) }).reservationId).toBe('R-2026-0042');
});

it('derives a stable dedupe key and Message-ID from template, reservation and version (or payment, alert, own key)', () => {
	expect(compose('reservationConfirmation').dedupeKey).toBe('reservationConfirmation:reservation:R-2026-0042:v3');
	expect(compose('reservationModification').dedupeKey).toBe('reservationModification:reservation:R-2026-0042:v4');
	expect(compose('paymentReceipt').dedupeKey).toBe('paymentReceipt:payment:pi_123');
	// A Square payment: keyed by its ledger id, shown to the guest as Square shows it.
	const square = compose('paymentReceipt', { source: { ...payment, paymentId: 'square:KkAkhdMsgzn59SM8A89WgKwekxLZY' } });
	expect(square.dedupeKey).toBe('paymentReceipt:payment:square:KkAkhdMsgzn59SM8A89WgKwekxLZY');
	expect(square.text).toContain('Payment reference: KkAkhdMsgzn59SM8A89WgKwekxLZY');
	expect(square.text).not.toContain('square:');
	// Refunds come in parts: one e-mail per refunded total, the same one however often it is seen.
	expect(compose('paymentRefund').dedupeKey).toBe('paymentRefund:payment:pi_123:refunded:50.00 EUR');
	expect(compose('paymentRefund', { source: { ...payment, amountRefunded: 12000 } }).dedupeKey).toBe('paymentRefund:payment:pi_123:refunded:120.00 EUR');
	expect(compose('paymentRefund', { source: { ...payment, amountRefunded: 5000, status: 'partially_refunded' } }).dedupeKey).toBe(compose('paymentRefund').dedupeKey);
	expect(errorOf(() => compose('paymentRefund', { source: payment }))).toMatchObject({ field: 'payment', message: expect.stringMatching(/no refund/) });
	expect(compose('integrationAlert').dedupeKey).toBe('integrationAlert:alert:stripe:2026-05-01T10:00:00.000Z');
	expect(compose('integrationAlert', { source: { ...alert, alertKey: 'run-7' } }).dedupeKey).toBe('integrationAlert:alert:run-7');
	expect(compose('reservationConfirmation', { dedupeKey: 'staff-copy' }).dedupeKey).toBe('reservationConfirmation:key:staff-copy');
	// No version: nothing tells a modification from the booking, so a key is required.
	const { version: _v, ...unversioned } = reservation;
	expect(errorOf(() => compose('reservationConfirmation', { source: unversioned })).field).toBe('dedupeKey');
	expect(compose('reservationConfirmation', { source: unversioned, dedupeKey: 'k' }).dedupeKey).toBe('reservationConfirmation:key:k');

	const a = compose('reservationConfirmation');
	const b = compose('reservationConfirmation', { overrides: { subject: 'Other subject {{reservation.id}}' } });
	expect(a.messageId).toBe(b.messageId);
	expect(a.messageId).toMatch(/^<[0-9a-f]{40}@seeblick\.example>$/);
	expect(messageIdFor('paymentReceipt:payment:x')).toMatch(/@hotel-integrations\.invalid>$/);
	expect(compose('reservationModification').messageId).not.toBe(a.messageId);
});
