/**
 * The availability answer (OTA_HotelAvailRS): what the channel's builder (the local OTA peer's,
 * test/peers/ota/messages) writes validates against the 2015B XSD and reads back, through our
 * parser, to the offers it was built from; the parser is lenient about what channels
 * leave out, strict about counts and amounts, and refuses hostile input like every other parser.
 */
import { buildHotelAvailRQ, parseHotelAvailRS } from '../../lib/ota';
import { buildHotelAvailRS, type AvailOffer } from '../peers/ota/messages';
import { expectOtaRefused } from '../support/otaRefusal';
import { validateOta } from '../support/xsd';

const OTA = 'xmlns="http://www.opentravel.org/OTA/2003/05"';
const stay = { arrival: '2026-05-01', departure: '2026-05-03' };

function expectValid(xml: string): void {
	const verdict = validateOta(xml);
	expect(verdict.errors).toEqual([]);
	expect(verdict.ok).toBe(true);
}

describe('buildHotelAvailRS', () => {
	const offers: AvailOffer[] = [
		{ roomType: 'DBL', ratePlan: 'BAR', available: 3, totalAmount: 24000, currency: 'EUR' },
		{ roomType: 'DBL', ratePlan: 'NR', available: 3, totalAmount: 21050, currency: 'eur' },
		{ roomType: 'JPN', ratePlan: 'BAR', available: 1, totalAmount: 30000, currency: 'JPY' },
		{ roomType: 'S&<"\'é', available: 0 },
	];

	it('validates against OTA_HotelAvailRS.xsd, with offers and without', () => {
		expectValid(buildHotelAvailRS('HOTEL1', offers, stay));
		expectValid(buildHotelAvailRS('HOTEL1', offers, { amountFormat: 'minorUnits' }));
		expectValid(buildHotelAvailRS('HOTEL1', [], { ...stay, echoToken: 'tok-1' }));
	});

	it('reads back to the offers it was built from, amounts in minor units', () => {
		for (const amountFormat of ['decimal', 'minorUnits'] as const) {
			expect(parseHotelAvailRS(buildHotelAvailRS('HOTEL1', offers, { ...stay, amountFormat }))).toEqual([
				{ roomType: 'DBL', ratePlan: 'BAR', available: 3, totalAmount: 24000, currency: 'EUR' },
				{ roomType: 'DBL', ratePlan: 'NR', available: 3, totalAmount: 21050, currency: 'EUR' },
				{ roomType: 'JPN', ratePlan: 'BAR', available: 1, totalAmount: 30000, currency: 'JPY' },
				{ roomType: 'S&<"\'é', available: 0 },
			]);
		}
		expect(parseHotelAvailRS(buildHotelAvailRS('HOTEL1', []))).toEqual([]);
	});

	it('refuses input that would not make a valid message, naming the field', () => {
		expectOtaRefused(() => buildHotelAvailRS('HOTEL1', [{ roomType: '' }]), 'invalid_input', /offers\[0\]\.roomType/);
		expectOtaRefused(() => buildHotelAvailRS('HOTEL1', [{ roomType: 'DBL', ratePlan: 'X'.repeat(17) }]), 'invalid_input', /offers\[0\]\.ratePlan: is longer than 16/);
		expectOtaRefused(() => buildHotelAvailRS('HOTEL1', [{ roomType: 'DBL', available: -1 }]), 'invalid_input', /offers\[0\]\.available/);
		expectOtaRefused(() => buildHotelAvailRS('HOTEL1', [{ roomType: 'DBL', totalAmount: 100 }]), 'invalid_input', /offers\[0\]\.currency/);
		expectOtaRefused(() => buildHotelAvailRS('HOTEL1', [{ roomType: 'DBL', totalAmount: 1.5, currency: 'EUR' }]), 'invalid_input', /offers\[0\]\.totalAmount/);
		expectOtaRefused(() => buildHotelAvailRS('HOTEL1', [], { arrival: '2026-05-03', departure: '2026-05-03' }), 'invalid_input', /departure: must be after arrival/);
	});
});

describe('a channel\'s state for a stay: closed rooms and restrictions (HotelStays linked by RPH)', () => {
	const night = { arrival: '2026-05-01', departure: '2026-05-02' };
	const offers: AvailOffer[] = [
		{ roomType: 'DBL', ratePlan: 'BAR', available: 3, totalAmount: 12000, currency: 'EUR', closed: false, restrictions: { status: 'Open', minLos: 2, maxLos: 14 } },
		{ roomType: 'DBL', ratePlan: 'NR', available: 3, totalAmount: 10000, currency: 'EUR', closed: false, restrictions: { status: 'ClosedOnArrival' } },
		{ roomType: 'STE', ratePlan: 'BAR', available: 0, totalAmount: 30000, currency: 'EUR', closed: true, restrictions: { status: 'Close' } },
		{ roomType: 'SGL', ratePlan: 'BAR', available: 2, totalAmount: 8000, currency: 'EUR' },
	];

	it('validates against OTA_HotelAvailRS.xsd and reads back', () => {
		const xml = buildHotelAvailRS('HOTEL1', offers, night);
		expectValid(xml);
		expect(parseHotelAvailRS(xml)).toEqual(offers.map((o) => ({ ...o, currency: 'EUR' })));
	});

	it('reads a HotelStay that names several RoomStays, statuses it does not model as open, and ignores other restriction types', () => {
		const xml = `<OTA_HotelAvailRS ${OTA} Version="1.0"><Success/>
			<HotelStays><HotelStay RoomStayRPH="1 2"><Availability Status="ClosedOnArrivalOnRequest" Start="2026-05-01" End="2026-05-02">
				<Restriction RestrictionType="MinAdvanceBook" Time="3" TimeUnit="Day"/><Restriction RestrictionType="MinLOS" Time="3" TimeUnit="Day"/></Availability></HotelStay>
				<HotelStay RoomStayRPH="3"><Availability Status="OnRequest"/></HotelStay></HotelStays>
			<RoomStays>
				<RoomStay RPH="1" AvailabilityStatus="AvailableForSale"><RoomRates><RoomRate RoomTypeCode="DBL" RatePlanCode="BAR" NumberOfUnits="2"/></RoomRates></RoomStay>
				<RoomStay RPH="2"><RoomRates><RoomRate RoomTypeCode="DBL" RatePlanCode="NR" NumberOfUnits="2"/></RoomRates></RoomStay>
				<RoomStay RPH="3" AvailabilityStatus="ClosedOut"><RoomRates><RoomRate RoomTypeCode="STE" NumberOfUnits="0"/></RoomRates></RoomStay>
			</RoomStays></OTA_HotelAvailRS>`;
		expect(parseHotelAvailRS(xml)).toEqual([
			{ roomType: 'DBL', ratePlan: 'BAR', available: 2, closed: false, restrictions: { status: 'ClosedOnArrival', minLos: 3 } },
			{ roomType: 'DBL', ratePlan: 'NR', available: 2, restrictions: { status: 'ClosedOnArrival', minLos: 3 } },
			{ roomType: 'STE', available: 0, closed: true, restrictions: { status: 'Open' } },
		]);
		expectOtaRefused(
			() => parseHotelAvailRS(xml.replace('Time="3" TimeUnit="Day"/></Availability>', 'Time="three" TimeUnit="Day"/></Availability>')),
			'invalid_content',
			/MinLOS Time "three" is not a whole number/,
		);
	});
});

describe('parseHotelAvailRS', () => {
	it('reads what channels leave out or put elsewhere', () => {
		const xml = `<OTA_HotelAvailRS ${OTA} Version="1.0"><Success/><RoomStays>
			<RoomStay><RoomTypes><RoomType RoomTypeCode="DBL" NumberOfUnits="4"/></RoomTypes><RatePlans><RatePlan RatePlanCode="BAR"/></RatePlans>
				<RoomRates><RoomRate><Total AmountBeforeTax="12000" DecimalPlaces="2" CurrencyCode="eur"/></RoomRate></RoomRates></RoomStay>
			<RoomStay><RoomTypes><RoomType RoomTypeCode="SGL"/></RoomTypes><Total AmountAfterTax="80" CurrencyCode="EUR"/></RoomStay>
			<RoomStay/>
		</RoomStays></OTA_HotelAvailRS>`;
		expect(parseHotelAvailRS(xml)).toEqual([
			{ roomType: 'DBL', ratePlan: 'BAR', available: 4, totalAmount: 12000, currency: 'EUR' },
			{ roomType: 'SGL', totalAmount: 8000, currency: 'EUR' },
		]);
		expect(parseHotelAvailRS(`<OTA_HotelAvailRS ${OTA} Version="1.0"><Success/></OTA_HotelAvailRS>`)).toEqual([]);
	});

	it('refuses what it cannot read, naming the element', () => {
		const stayWith = (roomStay: string) => `<OTA_HotelAvailRS ${OTA} Version="1.0"><Success/><RoomStays>${roomStay}</RoomStays></OTA_HotelAvailRS>`;
		expectOtaRefused(() => parseHotelAvailRS(stayWith('<RoomStay><RoomRates><RoomRate RatePlanCode="BAR"/></RoomRates></RoomStay>')), 'invalid_content', /RoomStays\/RoomStay\[1\]\/RoomRates\/RoomRate\[1\]: missing RoomTypeCode/);
		expectOtaRefused(() => parseHotelAvailRS(stayWith('<RoomStay><RoomTypes><RoomType RoomTypeCode="DBL" NumberOfUnits="-2"/></RoomTypes></RoomStay>')), 'invalid_content', /NumberOfUnits "-2" is not a whole number/);
		expectOtaRefused(() => parseHotelAvailRS(stayWith('<RoomStay><RoomRates><RoomRate RoomTypeCode="DBL"><Total AmountAfterTax="12,00" CurrencyCode="EUR"/></RoomRate></RoomRates></RoomStay>')), 'invalid_content', /RoomRate\[1\]\/Total/);
		expectOtaRefused(() => parseHotelAvailRS(buildHotelAvailRQ('HOTEL1', { ...stay, adults: 2 })), 'unexpected_root', /expected OTA_HotelAvailRS, got OTA_HotelAvailRQ/);
	});

	it('refuses hostile input before parsing', () => {
		const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><OTA_HotelAvailRS ${OTA} Version="1.0"><Success/><RoomStays><RoomStay><RoomTypes><RoomType RoomTypeCode="&xxe;"/></RoomTypes></RoomStay></RoomStays></OTA_HotelAvailRS>`;
		expectOtaRefused(() => parseHotelAvailRS(xxe), 'forbidden_markup', /DOCTYPE and ENTITY/);
		const big = `<OTA_HotelAvailRS ${OTA} Version="1.0"><Success/><!--${'x'.repeat(3 * 1024 * 1024)}--></OTA_HotelAvailRS>`;
		expectOtaRefused(() => parseHotelAvailRS(big), 'too_large', /more than the limit/);
		expectOtaRefused(() => parseHotelAvailRS('<OTA_HotelAvailRS><RoomStays></OTA_HotelAvailRS>'), 'malformed', /malformed XML/);
	});
});
