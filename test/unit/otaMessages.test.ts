/**
 * The OTA builders, ours (lib/ota) and the channel's (test/peers/ota/messages, what the local OTA
 * peer sends): every message validates against its 2015B XSD (xmllint), the shapes channels
 * rely on are right, bad input is refused with an error naming the field, and — over seeded random
 * input full of XML metacharacters and non-ASCII codes — every message validates and reads back
 * to what was built.
 */
import {
	buildCancelRS,
	buildHotelAvailNotifRQ,
	buildHotelAvailRQ,
	buildHotelRateAmountNotifRQ,
	buildHotelResModifyNotifRS,
	buildHotelResNotifRS,
	buildNotifReportRQ,
	buildReadRQ,
	buildSoapFault,
	currencyDecimals,
	OtaMessageError,
	parseAckResponse,
	parseOtaMessage,
	parseReservations,
	wrapSoap,
	type AvailUpdate,
	type ChannelReservation,
	type ChannelRoomStay,
	type RateUpdate,
	type ReservationResult,
} from '../../lib/ota';
import {
	buildCancelRQ,
	buildHotelAvailNotifRS,
	buildHotelRateAmountNotifRS,
	buildHotelResModifyNotifRQ,
	buildHotelResNotifRQ,
	buildNotifReportRS,
	buildResRetrieveRS,
	parseHotelAvailNotif,
	parseHotelRateAmountNotif,
	parseReadRQ,
	unwrapSoap,
} from '../peers/ota/messages';
import { validateOta, validateOtaMany } from '../support/xsd';
import { seededRandom } from '../support/seededRandom';
import { thrownBy } from '../support/thrown';

const FIXED = { echoToken: 'echo-1', timeStamp: '2026-05-01T12:00:00Z' };

/** A double and a family room (one cancelled double), nightly prices, taxes, a room guest: every part of a reservation message. */
const booking: ChannelReservation = {
	channelReservationId: 'BDC-4705913842',
	version: '2026-05-01T10:00:00Z',
	action: 'book',
	hotelCode: 'HOTEL1',
	arrival: '2026-06-01',
	departure: '2026-06-04',
	roomStays: [
		{
			index: '1',
			status: 'active',
			roomType: 'DBL',
			ratePlan: 'BAR-FLEXIBLE-BREAKFAST-INCLUDED',
			arrival: '2026-06-01',
			departure: '2026-06-04',
			units: 1,
			adults: 2,
			children: 0,
			childAges: [],
			nightly: [
				{ date: '2026-06-01', amount: 10000 },
				{ date: '2026-06-02', amount: 10000 },
				{ date: '2026-06-03', amount: 12050 },
			],
			amount: 32050,
			taxes: 2050,
			currency: 'EUR',
		},
		{
			index: '2',
			status: 'active',
			roomType: 'FAM',
			ratePlan: 'BAR',
			arrival: '2026-06-01',
			departure: '2026-06-03',
			units: 1,
			adults: 1,
			children: 1,
			childAges: [7],
			guestName: 'Jonas Müller',
			nightly: [],
			amount: 13000,
			currency: 'EUR',
		},
	],
	amount: 45050,
	currency: 'EUR',
	taxes: 2050,
	guest: { name: 'Anna Maria Müller', email: 'anna@example.com', phone: '+49 30 1234567' },
	card: { brand: 'VI', last4: '1111' },
	createdAt: '2026-05-01T10:00:00Z',
	comments: ['Late arrival <after 22:00> & "quiet" room'],
	specialRequests: ['Cot in the family room'],
};

function expectValid(xml: string): void {
	const verdict = validateOta(xml);
	expect(verdict.errors).toEqual([]);
	expect(verdict.ok).toBe(true);
}

function expectInputError(build: () => unknown, path: string | RegExp): OtaMessageError {
	const error = thrownBy(build, OtaMessageError);
	expect(error.kind).toBe('invalid_input');
	if (typeof path === 'string') expect(error.path).toBe(path);
	else expect(error.path).toMatch(path);
	return error;
}

describe('every builder produces a message that validates against its 2015B XSD', () => {
	const cases: Array<[string, () => string]> = [
		[
			'OTA_HotelAvailNotifRQ',
			() =>
				buildHotelAvailNotifRQ(
					'HOTEL1',
					[
						{ roomType: 'DBL', start: '2026-06-01', end: '2026-06-30', bookingLimit: 4 },
						{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-07-01', end: '2026-07-01', stopSell: true, minLos: 2, maxLos: null, closedToArrival: true, closedToDeparture: false },
					],
					FIXED,
				),
		],
		[
			'OTA_HotelRateAmountNotifRQ',
			() =>
				buildHotelRateAmountNotifRQ('HOTEL1', [
					{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-30', amount: 12345, currency: 'eur' },
					{ roomType: 'JPN', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-01', amount: 18000, currency: 'JPY' },
				]),
		],
		['OTA_HotelAvailRQ', () => buildHotelAvailRQ('HOTEL1', { arrival: '2026-06-01', departure: '2026-06-03', adults: 2, children: 1, roomType: 'DBL' })],
		['OTA_ReadRQ', () => buildReadRQ('HOTEL1', { selection: 'Undelivered' })],
		[
			'OTA_NotifReportRQ (success)',
			() => buildNotifReportRQ([{ channelReservationId: 'SM-1', ok: true, confirmationNumber: 'PMS-1' }, { channelReservationId: 'SM-2', ok: true }], { hotelCode: 'HOTEL1' }),
		],
		['OTA_NotifReportRQ (errors)', () => buildNotifReportRQ([{ channelReservationId: 'SM-3', ok: false, error: { message: 'Unknown room type', code: '402' } }])],
		['OTA_HotelResNotifRS (success)', () => buildHotelResNotifRS([{ channelReservationId: 'BDC-1', ok: true, confirmationNumber: 'PMS-1' }], { hotelCode: 'HOTEL1' })],
		['OTA_HotelResNotifRS (errors)', () => buildHotelResNotifRS([{ channelReservationId: 'BDC-1', ok: false, error: 'Sold out' }])],
		['OTA_HotelResModifyNotifRS (success)', () => buildHotelResModifyNotifRS([{ channelReservationId: 'BDC-1', ok: true, confirmationNumber: 'PMS-1' }])],
		['OTA_HotelResModifyNotifRS (errors)', () => buildHotelResModifyNotifRS([{ channelReservationId: 'BDC-1', ok: false }])],
		['OTA_HotelAvailNotifRS (success + warnings)', () => buildHotelAvailNotifRS({ warnings: [{ message: 'Past dates ignored', code: '321' }] })],
		['OTA_HotelAvailNotifRS (errors)', () => buildHotelAvailNotifRS({ errors: ['Invalid room type'] })],
		['OTA_HotelRateAmountNotifRS', () => buildHotelRateAmountNotifRS()],
		['OTA_NotifReportRS', () => buildNotifReportRS()],
		['OTA_ResRetrieveRS', () => buildResRetrieveRS([booking, { ...booking, channelReservationId: 'BDC-2', action: 'modify' }, { ...booking, channelReservationId: 'BDC-3', action: 'cancel' }])],
		['OTA_ResRetrieveRS (nothing undelivered)', () => buildResRetrieveRS([])],
		['OTA_HotelResNotifRQ', () => buildHotelResNotifRQ([booking])],
		[
			'OTA_HotelResNotifRQ (bare cancellation, no hotel code)',
			() =>
				buildHotelResNotifRQ([
					{ channelReservationId: 'X-1', version: '3', action: 'cancel', roomStays: [], guest: { name: '' }, comments: [], specialRequests: [] },
				]),
		],
		['OTA_HotelResModifyNotifRQ', () => buildHotelResModifyNotifRQ([{ ...booking, action: 'modify' }, { ...booking, action: 'cancel' }])],
		['OTA_HotelResNotifRQ (dated by nightly rates only, Booking.com)', () => buildHotelResNotifRQ([booking], { stayDates: 'ratesOnly' })],
		[
			'OTA_HotelResModifyNotifRQ (one room cancelled)',
			() => buildHotelResModifyNotifRQ([{ ...booking, action: 'modify', roomStays: [booking.roomStays[0], { ...booking.roomStays[1], status: 'cancelled' }] }]),
		],
	];

	it.each(cases)('%s', (_name, build) => {
		expectValid(build());
	});

	it('puts the XML declaration and EchoToken, TimeStamp and Version on every root', () => {
		const xml = buildHotelAvailNotifRS({}, FIXED);
		expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<OTA_HotelAvailNotifRS')).toBe(true);
		expect(xml).toContain('xmlns="http://www.opentravel.org/OTA/2003/05"');
		expect(xml).toContain('EchoToken="echo-1"');
		expect(xml).toContain('TimeStamp="2026-05-01T12:00:00Z"');
		expect(xml).toContain('Version="1.0"');
		expect(parseOtaMessage(buildHotelAvailNotifRS()).echoToken).toMatch(/^[0-9a-f-]{36}$/);
	});
});

describe('message shapes', () => {
	it('splits an availability update into master, closed-to-arrival and closed-to-departure messages', () => {
		const xml = buildHotelAvailNotifRQ('H1', [
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-03', bookingLimit: 0, stopSell: true, minLos: 3, maxLos: null, closedToArrival: true, closedToDeparture: true },
		]);
		const messages = xml.split(/<AvailStatusMessage[ >]/).slice(1);
		expect(messages).toHaveLength(3);
		expect(messages[0]).toContain('BookingLimit="0"');
		expect(messages[0]).toContain('<StatusApplicationControl Start="2026-06-01" End="2026-06-03" InvTypeCode="DBL" RatePlanCode="BAR"/>');
		expect(messages[0]).toContain('<LengthOfStay Time="3" TimeUnit="Day" MinMaxMessageType="SetMinLOS"/>');
		expect(messages[0]).toContain('<LengthOfStay MinMaxMessageType="RemoveMaxLOS"/>');
		expect(messages[0]).toContain('<RestrictionStatus Status="Close"/>');
		expect(messages[1]).toContain('<RestrictionStatus Restriction="Arrival" Status="Close"/>');
		expect(messages[2]).toContain('<RestrictionStatus Restriction="Departure" Status="Close"/>');
		expect(parseHotelAvailNotif(xml).updates).toEqual([
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-03', bookingLimit: 0, stopSell: true, minLos: 3, maxLos: null, closedToArrival: true, closedToDeparture: true },
		]);
	});

	it('writes prices with the currency’s decimals, or as minor units on request', () => {
		const rates: RateUpdate[] = [
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-01', amount: 12345, currency: 'eur' },
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-01', amount: 18000, currency: 'JPY' },
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-01', amount: 5, currency: 'KWD' },
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-01', amount: 7, currency: 'USD', decimals: 2 },
		];
		const xml = buildHotelRateAmountNotifRQ('H1', rates);
		expect(xml).toContain('<BaseByGuestAmt AmountAfterTax="123.45" CurrencyCode="EUR" DecimalPlaces="2"/>');
		expect(xml).toContain('<BaseByGuestAmt AmountAfterTax="18000" CurrencyCode="JPY" DecimalPlaces="0"/>');
		expect(xml).toContain('<BaseByGuestAmt AmountAfterTax="0.005" CurrencyCode="KWD" DecimalPlaces="3"/>');
		expect(xml).toContain('AmountAfterTax="0.07"');
		const minor = buildHotelRateAmountNotifRQ('H1', rates, { amountFormat: 'minorUnits' });
		expect(minor).toContain('<BaseByGuestAmt AmountAfterTax="12345" CurrencyCode="EUR" DecimalPlaces="2"/>');
		expectValid(minor);
		for (const message of [xml, minor]) {
			expect(parseHotelRateAmountNotif(message).rates.map(({ amount, currency, decimals }) => [amount, currency, decimals])).toEqual([
				[12345, 'EUR', 2],
				[18000, 'JPY', 0],
				[5, 'KWD', 3],
				[7, 'USD', 2],
			]);
		}
	});

	it('orders HotelSearchCriteria before StayDateRange in OTA_HotelAvailRQ', () => {
		const xml = buildHotelAvailRQ('H1', { arrival: '2026-06-01', departure: '2026-06-03', adults: 2 });
		expect(xml.indexOf('<HotelSearchCriteria>')).toBeLessThan(xml.indexOf('<StayDateRange'));
		expect(xml).toContain('<HotelRef HotelCode="H1"/>');
		expect(xml).toContain('<GuestCount AgeQualifyingCode="10" Count="2"/>');
	});

	it('asks for undelivered reservations', () => {
		const xml = buildReadRQ('HOTEL1', { selection: 'Undelivered' });
		expect(xml).toContain('<ReadRequests><HotelReadRequest HotelCode="HOTEL1"><SelectionCriteria SelectionType="Undelivered"/></HotelReadRequest></ReadRequests>');
		expect(parseReadRQ(xml)).toMatchObject({ hotelCode: 'HOTEL1', selection: 'Undelivered' });
	});

	it('acknowledges pulled reservations: all successes, or all errors, never mixed', () => {
		const success = buildNotifReportRQ([{ channelReservationId: 'SM-1', ok: true, confirmationNumber: 'PMS-77' }], { hotelCode: 'HOTEL1' });
		expect(success).toContain(
			'<Success/><NotifDetails><HotelNotifReport><HotelReservations><HotelReservation><UniqueID Type="14" ID="SM-1"/><ResGlobalInfo><HotelReservationIDs><HotelReservationID ResID_Type="10" ResID_Value="PMS-77"/></HotelReservationIDs><BasicPropertyInfo HotelCode="HOTEL1"/></ResGlobalInfo>',
		);
		const failure = buildNotifReportRQ([{ channelReservationId: 'SM-2', ok: false, error: { message: 'Room type unknown', code: '402', type: '3' } }]);
		expect(failure).toContain('<Errors><Error Type="3" Code="402" RecordID="SM-2">Room type unknown</Error></Errors>');
		expect(parseAckResponse(failure)).toMatchObject({ ok: false, errors: [{ message: 'Room type unknown', code: '402', recordId: 'SM-2' }], reservations: [{ channelReservationId: 'SM-2' }] });
		expectInputError(
			() => buildNotifReportRQ([{ channelReservationId: 'A', ok: true }, { channelReservationId: 'B', ok: false, error: 'x' }]),
			'results',
		);
		expectInputError(() => buildNotifReportRQ([]), 'results');
	});

	it('answers pushed reservations with our confirmation number, or with Errors if any failed', () => {
		const ok = buildHotelResNotifRS([
			{ channelReservationId: 'BDC-1', ok: true, confirmationNumber: 'PMS-1' },
			{ channelReservationId: 'BDC-2', ok: true, confirmationNumber: 'PMS-2' },
		]);
		expect(parseAckResponse(ok)).toMatchObject({
			root: 'OTA_HotelResNotifRS',
			ok: true,
			reservations: [
				{ channelReservationId: 'BDC-1', confirmationNumber: 'PMS-1' },
				{ channelReservationId: 'BDC-2', confirmationNumber: 'PMS-2' },
			],
		});
		const mixed = buildHotelResNotifRS([
			{ channelReservationId: 'BDC-1', ok: true, confirmationNumber: 'PMS-1' },
			{ channelReservationId: 'BDC-2', ok: false, error: 'No availability' },
		]);
		expectValid(mixed);
		expect(parseAckResponse(mixed)).toMatchObject({ ok: false, errors: [{ message: 'No availability', code: '450', type: '3', recordId: 'BDC-2' }] });
		expectInputError(() => buildHotelResNotifRS([{ channelReservationId: 'BDC-1', ok: true }]), 'results[0].confirmationNumber');
		expectInputError(() => buildHotelResModifyNotifRS([{ channelReservationId: 'BDC-1', ok: false, error: { message: 'x', code: 'bad code' } }]), 'results[0].code');
		const many: ReservationResult[] = Array.from({ length: 100 }, (_, i) => ({ channelReservationId: `R${i}`, ok: false, error: 'x' }));
		expectInputError(() => buildHotelResNotifRS(many), 'results');
	});

	it('names a channel id too long for UniqueID (a UUID) in HotelReservationIDs, schema-valid, and reads it back', () => {
		const uuid = '3f0d9c52-7a41-4c8e-9b1f-2d6e8a4c7b90';
		const xml = buildNotifReportRQ([{ channelReservationId: uuid, ok: true, confirmationNumber: 'HB-1' }], { hotelCode: 'HOTEL1' });
		expectValid(xml);
		expect(parseAckResponse(xml).reservations).toEqual([{ channelReservationId: uuid, confirmationNumber: 'HB-1' }]);
	});

	it('writes a guarantee card only as its brand and a masked number', () => {
		const xml = buildHotelResNotifRQ([{ ...booking, card: { brand: 'Visa', last4: '1111' } }]);
		expect(xml).toContain('<PaymentCard CardCode="VI"><CardNumber Mask="xxxxxxxxxxxx1111"/></PaymentCard>');
		expect(buildHotelResNotifRQ([{ ...booking, card: { brand: 'Obscure Card Co', last4: '1111' } }])).toContain('<PaymentCard><CardNumber Mask="xxxxxxxxxxxx1111"/>');
		expectInputError(() => buildHotelResNotifRQ([{ ...booking, card: { last4: '4111111111111111' } }]), 'reservations[0].card.last4');
	});

	it('always closes ResGlobalInfo with the BasicPropertyInfo the schema requires', () => {
		expect(buildHotelResNotifRQ([{ ...booking, hotelCode: undefined }])).toContain('<BasicPropertyInfo/></ResGlobalInfo>');
		expect(buildHotelResNotifRQ([booking])).toContain('<BasicPropertyInfo HotelCode="HOTEL1"/></ResGlobalInfo>');
	});

	it('builds OTA_CancelRQ / OTA_CancelRS in the OTA namespace (no XSD in shared/) and reads them back', () => {
		const request = buildCancelRQ(booking, { reason: 'Guest changed plans', ...FIXED });
		expect(request).toContain('<OTA_CancelRQ xmlns="http://www.opentravel.org/OTA/2003/05"');
		expect(request).toContain('CancelType="Commit"');
		expect(request).toContain('<UniqueID Type="14" ID="BDC-4705913842" Instance="2026-05-01T10:00:00Z"/>');
		expect(parseReservations(request).reservations).toEqual([
			{
				channelReservationId: 'BDC-4705913842',
				version: '2026-05-01T10:00:00Z',
				action: 'cancel',
				hotelCode: 'HOTEL1',
				arrival: '2026-06-01',
				departure: '2026-06-04',
				roomStays: [],
				guest: { name: 'Anna Maria Müller', email: 'anna@example.com', phone: '+49 30 1234567' },
				comments: ['Guest changed plans'],
				specialRequests: [],
			},
		]);
		const answer = buildCancelRS({ channelReservationId: 'BDC-4705913842', ok: true, cancellationNumber: 'CXL-9' });
		expect(answer).toContain('Status="Cancelled"');
		expect(parseAckResponse(answer)).toMatchObject({ ok: true, reservations: [{ channelReservationId: 'BDC-4705913842', confirmationNumber: 'CXL-9' }] });
		const refused = buildCancelRS({ channelReservationId: 'BDC-4705913842', ok: false, error: 'Already checked in' });
		expect(parseAckResponse(refused)).toMatchObject({ ok: false, errors: [{ message: 'Already checked in', recordId: 'BDC-4705913842' }] });
	});
});

describe('builders refuse input that would not make a valid message, naming the field', () => {
	const update: AvailUpdate = { roomType: 'DBL', start: '2026-06-01', end: '2026-06-02', bookingLimit: 1 };

	it.each<[string, () => unknown, string]>([
		['room type over 16 characters', () => buildHotelAvailNotifRQ('H1', [{ ...update, roomType: 'ROOMTYPE-17-CHARS' }]), 'updates[0].roomType'],
		['hotel code over 16 characters', () => buildHotelAvailNotifRQ('HOTEL-CODE-17-CHR', [update]), 'hotelCode'],
		['a control character', () => buildHotelAvailNotifRQ('H1', [{ ...update, roomType: 'DB\u0001L' }]), 'updates[0].roomType'],
		['a line break in a code', () => buildHotelAvailNotifRQ('H1', [{ ...update, ratePlan: 'BAR\nX' }]), 'updates[0].ratePlan'],
		['an impossible date', () => buildHotelAvailNotifRQ('H1', [{ ...update, start: '2026-02-30' }]), 'updates[0].start'],
		['end before start', () => buildHotelAvailNotifRQ('H1', [{ ...update, start: '2026-06-05' }]), 'updates[0]'],
		['an update that sets nothing', () => buildHotelAvailNotifRQ('H1', [{ roomType: 'DBL', start: '2026-06-01', end: '2026-06-01' }]), 'updates[0]'],
		['a negative booking limit', () => buildHotelAvailNotifRQ('H1', [{ ...update, bookingLimit: -1 }]), 'updates[0].bookingLimit'],
		['minLos above maxLos', () => buildHotelAvailNotifRQ('H1', [{ ...update, minLos: 5, maxLos: 3 }]), 'updates[0]'],
		['no updates', () => buildHotelAvailNotifRQ('H1', []), 'updates'],
		['a fractional amount', () => buildHotelRateAmountNotifRQ('H1', [{ roomType: 'D', ratePlan: 'B', start: '2026-06-01', end: '2026-06-01', amount: 10.5, currency: 'EUR' }]), 'rates[0].amount'],
		['a bad currency', () => buildHotelRateAmountNotifRQ('H1', [{ roomType: 'D', ratePlan: 'B', start: '2026-06-01', end: '2026-06-01', amount: 1, currency: 'EURO' }]), 'rates[0].currency'],
		['4 decimals (OTA Money has 3)', () => buildHotelRateAmountNotifRQ('H1', [{ roomType: 'D', ratePlan: 'B', start: '2026-06-01', end: '2026-06-01', amount: 1, currency: 'EUR', decimals: 4 }]), 'rates[0].decimals'],
		['a surname over 64 characters', () => buildHotelResNotifRQ([{ ...booking, guest: { name: `Ann ${'x'.repeat(65)}` } }]), 'reservations[0].guest.name'],
		['departure before arrival', () => buildHotelResNotifRQ([{ ...booking, roomStays: [{ ...booking.roomStays[0], departure: '2026-05-30' }] }]), 'reservations[0].roomStays[0].departure'],
		['a room index IndexNumber cannot carry', () => buildHotelResNotifRQ([{ ...booking, roomStays: [{ ...booking.roomStays[0], index: '2184761385' }] }]), 'reservations[0].roomStays[0].index'],
		['nightly prices without a currency', () => buildHotelResNotifRQ([{ ...booking, roomStays: [{ ...booking.roomStays[0], currency: undefined }] }]), 'reservations[0].roomStays[0].currency'],
		['a reservation id over 32 characters', () => buildHotelResNotifRQ([{ ...booking, channelReservationId: 'R'.repeat(33) }]), 'reservations[0].channelReservationId'],
		['a stay without nights', () => buildHotelAvailRQ('H1', { arrival: '2026-06-01', departure: '2026-06-01', adults: 1 }), 'departure'],
	])('%s', (_name, build, path) => {
		expectInputError(build, path);
	});

	it('counts characters, not UTF-16 units, against schema lengths', () => {
		expectValid(buildHotelAvailNotifRQ('H1', [{ ...update, roomType: '🏨'.repeat(16) }]));
		expectInputError(() => buildHotelAvailNotifRQ('H1', [{ ...update, roomType: '🏨'.repeat(17) }]), 'updates[0].roomType');
	});
});

describe('SOAP 1.1 with a WS-Security UsernameToken', () => {
	it('wraps and unwraps an OTA message, credentials escaped', () => {
		const envelope = wrapSoap(buildReadRQ('HOTEL1', { selection: 'Undelivered' }), { username: 'pms<user>', password: 'p&ss"word' });
		expect(envelope).toContain('<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">');
		expect(envelope).toContain('<wsse:Username>pms&lt;user&gt;</wsse:Username>');
		expect(envelope).toContain('#PasswordText">p&amp;ss&quot;word</wsse:Password>');
		expect(envelope.match(/<\?xml/g)).toHaveLength(1);
		const unwrapped = unwrapSoap(envelope);
		expect(unwrapped.root).toBe('OTA_ReadRQ');
		expect(unwrapped.usernameToken).toEqual({ username: 'pms<user>', password: 'p&ss"word' });
		expect(unwrapped.fault).toBeUndefined();
		expect(parseReadRQ(envelope)).toMatchObject({ hotelCode: 'HOTEL1', selection: 'Undelivered' });
	});

	it('builds and reads a fault', () => {
		const fault = buildSoapFault('Server', 'Database <unavailable>');
		expect(fault).toContain('<faultcode>SOAP-ENV:Server</faultcode><faultstring>Database &lt;unavailable&gt;</faultstring>');
		expect(unwrapSoap(fault)).toMatchObject({ root: 'Fault', fault: { code: 'Server', message: 'Database <unavailable>' } });
		expect(parseAckResponse(fault)).toMatchObject({ ok: false, fault: { code: 'Server' }, errors: [{ message: 'Database <unavailable>' }] });
		expect(() => parseReservations(fault)).toThrow(/SOAP fault \(Server: Database <unavailable>\)/);
	});

	it('refuses to wrap something that is not one OTA element', () => {
		expect(() => wrapSoap('<a/><b/>')).toThrow(OtaMessageError);
		expect(() => wrapSoap(buildSoapFault('Client', 'x'))).toThrow(/already a SOAP envelope/);
		expect(() => unwrapSoap(buildReadRQ('H1'))).toThrow(/expected a SOAP Envelope, got OTA_ReadRQ/);
	});
});

// ---------------------------------------------------------------------------------------------
// Property-style: seeded random input, every message validates and reads back.

class Generator {
	private readonly next: () => number;

	constructor(seed: number) {
		this.next = seededRandom(seed);
	}

	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(0, items.length - 1)];
	}

	/** A code with XML metacharacters and characters from outside the BMP, blanks only inside. */
	code(maxLength: number): string {
		const alphabet = [...'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_./#;', '<', '>', '&', '"', "'", 'é', 'ß', 'Ж', '日', '本', '€', '🏨', '😀'];
		const chars = Array.from({ length: this.int(1, maxLength) }, () => this.pick(alphabet));
		if (chars.length >= 3 && this.chance(0.3)) chars[this.int(1, chars.length - 2)] = ' ';
		return chars.join('');
	}

	date(from = '2026-01-01', spanDays = 700): string {
		return addDays(from, this.int(0, spanDays));
	}

	words(count: number): string {
		const words = ['Ana', 'Søren', "O'Brien", 'Müller', '李', 'Ж<&>', '"quoted"', 'x&amp;y', '🏨', 'late', 'check-in', 'cot', 'ß', 'é'];
		return Array.from({ length: count }, () => this.pick(words)).join(' ');
	}
}

function addDays(day: string, days: number): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const CURRENCIES = ['EUR', 'JPY', 'USD', 'GBP', 'CHF', 'BHD', 'KWD', 'ISK'];

function availUpdates(g: Generator): AvailUpdate[] {
	// Each update starts on its own day, so no two consecutive messages share a range and get merged.
	return Array.from({ length: g.int(1, 50) }, (_, index) => {
		const start = addDays('2026-01-01', index * 7 + g.int(0, 6));
		const update: AvailUpdate = { roomType: g.code(16), start, end: addDays(start, g.int(0, 90)) };
		if (g.chance(0.6)) update.ratePlan = g.code(64);
		if (g.chance(0.5)) update.bookingLimit = g.int(0, 40);
		if (g.chance(0.4)) update.stopSell = g.chance(0.5);
		if (g.chance(0.4)) update.minLos = g.chance(0.3) ? null : g.int(1, 7);
		if (g.chance(0.3)) update.maxLos = g.chance(0.3) ? null : g.int(7, 30);
		if (g.chance(0.3)) update.closedToArrival = g.chance(0.5);
		if (g.chance(0.3)) update.closedToDeparture = g.chance(0.5);
		if (Object.keys(update).length === 3 || (update.ratePlan !== undefined && Object.keys(update).length === 4)) update.bookingLimit = g.int(0, 9);
		return update;
	});
}

function rateUpdates(g: Generator): RateUpdate[] {
	return Array.from({ length: g.int(1, 50) }, () => {
		const start = g.date();
		const rate: RateUpdate = { roomType: g.code(16), ratePlan: g.code(64), start, end: addDays(start, g.int(0, 31)), amount: g.int(0, 10_000_000), currency: g.pick(CURRENCIES) };
		if (g.chance(0.3)) rate.decimals = g.int(0, 3);
		return rate;
	});
}

function reservation(g: Generator, actions: readonly ChannelReservation['action'][]): ChannelReservation {
	const action = g.pick(actions);
	const base: ChannelReservation = {
		channelReservationId: g.code(32),
		version: g.chance(0.5) ? `${g.date()}T${String(g.int(10, 23))}:00:00Z` : g.code(32),
		action,
		roomStays: [],
		guest: { name: g.words(g.int(1, 3)) },
		comments: [],
		specialRequests: [],
	};
	if (g.chance(0.7)) base.hotelCode = g.code(16);
	if (g.chance(0.5)) base.guest.email = `${g.code(10)}@example.com`;
	if (g.chance(0.5)) base.guest.phone = `+${g.int(1, 99)} ${g.int(100, 999)} ${g.int(1000, 99999)}`;
	if (g.chance(0.5)) base.createdAt = `${g.date()}T08:30:00+02:00`;
	// Distinct lines: a channel repeating a comment word for word gets it once.
	if (g.chance(0.4)) base.comments = Array.from({ length: g.int(1, 3) }, (_, i) => `${i}: ${g.words(g.int(1, 6))}\n${g.words(2)}`);
	if (g.chance(0.3)) base.specialRequests = Array.from({ length: g.int(1, 2) }, (_, i) => `request ${i} ${g.words(2)}`);
	if (action === 'cancel' && g.chance(0.5)) return base; // a bare cancellation
	const arrival = g.date();
	const departure = addDays(arrival, g.int(1, 21));
	const currency = g.pick(CURRENCIES);
	const priced = g.chance(0.8);
	const indexes = new Set<number>();
	const roomStays = Array.from({ length: g.int(1, 4) }, (): ChannelRoomStay => {
		let index = g.int(1, 999);
		while (indexes.has(index)) index = (index % 999) + 1;
		indexes.add(index);
		// Most rooms share the reservation's dates; some leave early.
		const roomDeparture = g.chance(0.8) ? departure : addDays(arrival, g.int(1, 21));
		const children = g.int(0, 3);
		const room: ChannelRoomStay = {
			index: String(index),
			status: action === 'modify' && g.chance(0.2) ? 'cancelled' : 'active',
			roomType: g.code(16),
			arrival,
			departure: roomDeparture,
			units: g.int(1, 3),
			adults: g.int(1, 6),
			children,
			childAges: Array.from({ length: g.int(0, children) }, () => g.int(0, 17)),
			nightly: [],
		};
		if (g.chance(0.8)) room.ratePlan = g.code(64);
		if (g.chance(0.3)) room.guestName = g.words(g.int(1, 3));
		if (priced) {
			room.currency = currency;
			if (g.chance(0.6)) {
				for (let night = arrival; night < roomDeparture; night = addDays(night, 1)) room.nightly.push({ date: night, amount: g.int(0, 500_000) });
				room.amount = room.nightly.reduce((sum, night) => sum + night.amount, 0);
			} else room.amount = g.int(0, 5_000_000);
			if (g.chance(0.4)) room.taxes = g.int(0, room.amount);
		}
		return room;
	});
	const stay: ChannelReservation = {
		...base,
		arrival,
		departure: roomStays.map((room) => room.departure!).reduce((a, b) => (b > a ? b : a)),
		roomStays,
	};
	if (priced) {
		stay.currency = currency;
		stay.amount = g.int(0, 5_000_000);
		const roomTaxes = roomStays.filter((room) => room.status === 'active' && room.taxes !== undefined);
		// Taxes the reservation does not state are the sum of its rooms' (as the parser reads them).
		if (g.chance(0.4)) stay.taxes = g.int(0, stay.amount);
		else if (roomTaxes.length > 0) stay.taxes = roomTaxes.reduce((sum, room) => sum + room.taxes!, 0);
	}
	if (g.chance(0.6)) {
		stay.card = { last4: String(g.int(0, 9999)).padStart(4, '0') };
		if (g.chance(0.7)) stay.card.brand = g.pick(['VI', 'MC', 'AX', 'JC']);
	}
	return stay;
}

/** What a reservation reads back as: a modification message turns Book into Modify. */
function readBack(reservation: ChannelReservation, root: string): ChannelReservation {
	if (root === 'OTA_HotelResModifyNotifRQ' && reservation.action === 'book') return { ...reservation, action: 'modify' };
	return reservation;
}

describe('property: generated messages validate and round-trip', () => {
	const ITERATIONS = 30;

	it(`holds for ${ITERATIONS} seeded random inputs of every builder`, () => {
		const messages: Array<{ seed: number; xml: string }> = [];
		for (let seed = 1; seed <= ITERATIONS; seed++) {
			const g = new Generator(seed);
			const hotel = g.code(16);
			const add = (xml: string) => messages.push({ seed, xml });

			const updates = availUpdates(g);
			const avail = buildHotelAvailNotifRQ(hotel, updates);
			add(avail);
			expect(parseHotelAvailNotif(avail)).toEqual({ hotelCode: hotel, echoToken: expect.any(String), updates });

			const rates = rateUpdates(g);
			const format = g.pick(['decimal', 'minorUnits'] as const);
			const rateXml = buildHotelRateAmountNotifRQ(hotel, rates, { amountFormat: format });
			add(rateXml);
			expect(parseHotelRateAmountNotif(rateXml).rates).toEqual(rates.map((rate) => ({ ...rate, decimals: rate.decimals ?? currencyDecimals(rate.currency) })));

			const booked = Array.from({ length: g.int(1, 5) }, () => reservation(g, ['book', 'modify', 'cancel']));
			for (const [root, xml] of [
				['OTA_HotelResNotifRQ', buildHotelResNotifRQ(booked, { stayDates: g.pick(['timeSpan', 'ratesOnly'] as const) })],
				['OTA_ResRetrieveRS', buildResRetrieveRS(booked)],
			] as const) {
				add(xml);
				expect(parseReservations(xml)).toEqual({ root, echoToken: expect.any(String), reservations: booked.map((each) => readBack(each, root)), failures: [] });
			}
			const changed = Array.from({ length: g.int(1, 5) }, () => reservation(g, ['modify', 'cancel']));
			const modifyXml = buildHotelResModifyNotifRQ(changed);
			add(modifyXml);
			expect(parseReservations(modifyXml).reservations).toEqual(changed);

			const cancel = parseReservations(buildCancelRQ(booked[0])).reservations[0];
			expect(cancel).toMatchObject({ channelReservationId: booked[0].channelReservationId, version: booked[0].version, action: 'cancel', guest: { name: booked[0].guest.name } });

			const ok = g.chance(0.5);
			const results: ReservationResult[] = booked.map((each) =>
				ok ? { channelReservationId: each.channelReservationId, ok, confirmationNumber: g.code(64) } : { channelReservationId: each.channelReservationId, ok, error: g.words(3) },
			);
			const report = buildNotifReportRQ(results, { hotelCode: hotel });
			add(report);
			const ack = parseAckResponse(report);
			expect(ack.ok).toBe(ok);
			expect(ack.reservations).toEqual(results.map(({ channelReservationId, confirmationNumber }) => (confirmationNumber ? { channelReservationId, confirmationNumber } : { channelReservationId })));
			if (!ok) expect(ack.errors.map((error) => [error.recordId, error.message])).toEqual(results.map((result) => [result.channelReservationId, result.error]));
			add(buildHotelResNotifRS(results, { hotelCode: hotel }));
			add(buildHotelResModifyNotifRS(results));

			const arrival = g.date();
			add(buildHotelAvailRQ(hotel, { arrival, departure: addDays(arrival, g.int(1, 14)), adults: g.int(1, 4), children: g.int(0, 2), roomType: g.chance(0.5) ? g.code(16) : undefined }));
			const read = buildReadRQ(hotel, { selection: g.pick(['Undelivered', 'All', 'PreviouslyDelivered'] as const) });
			add(read);
			expect(parseReadRQ(read).hotelCode).toBe(hotel);
		}

		const verdicts = validateOtaMany(messages.map(({ xml }) => xml));
		const failures = verdicts
			.map((verdict, index) => ({ ...verdict, seed: messages[index].seed }))
			.filter((verdict) => !verdict.ok)
			.map(({ seed, errors }) => ({ seed, errors: errors.slice(0, 3) }));
		expect(failures).toEqual([]);
		expect(verdicts.length).toBe(messages.length);
	});
});
