/**
 * OTA part (b), parsing and building speed of lib/ota against fast-xml-parser alone on the same bytes:
 *  - parse: a 1,000-reservation OTA_ResRetrieveRS (built with the channel's buildResRetrieveRS from
 *    test/peers/ota/messages) read by parseReservations → ChannelReservation[], vs XMLParser.parse alone;
 *  - build: a 5,000-update OTA_HotelAvailNotifRQ by buildHotelAvailNotifRQ, vs XMLBuilder.build alone
 *    on an equivalent object tree (built once, outside the timing; its output is compared with ours).
 * Ours and fxp alternate within each run so drift hits both alike; medians of RUNS after WARMUP.
 * When a ratio is over the goal, the stages of our side are timed the same way (breakdown).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { addDays, today } from '../lib/inventory/dates';
import { buildHotelAvailNotifRQ, parseReservations, type AvailUpdate, type ChannelReservation, type ChannelRoomStay } from '../lib/ota';
import { buildResRetrieveRS } from '../test/peers/ota/messages';
import { readXml } from '../lib/ota/xmlReader';
import { READER_OPTIONS } from '../lib/ota/xmlReader';
import { WRITER_OPTIONS } from '../lib/ota/xmlWriter';

export const CODEC_GOAL = 1.5;
const RESERVATIONS = 1_000;
const UPDATES = 5_000;
const WARMUP = 5;
const RUNS = 20;

export interface Timed {
	medianMs: number;
	minMs: number;
}

export interface CodecCase {
	what: string;
	bytes: number;
	ours: Timed;
	fxp: Timed;
	/** ours/fxp of the medians (goal ≤ CODEC_GOAL). */
	ratio: number;
	goalMet: boolean;
	/** Median ms of the stages of our side, when the ratio is over the goal. */
	breakdown?: Record<string, number>;
	notes: string[];
}

export interface OtaCodecReport {
	runs: number;
	warmup: number;
	fxpOptions: { parse: Record<string, unknown>; build: Record<string, unknown> };
	parse: CodecCase;
	build: CodecCase;
	suggestions: string[];
}

const FXP_PARSE = { ignoreAttributes: false, processEntities: false, removeNSPrefix: true };
const FXP_BUILD = { ignoreAttributes: false, attributeNamePrefix: '@_' };

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs every function once per round, in turn; returns the median and minimum ms of each. */
function timeAll(fns: Record<string, () => unknown>): Record<string, Timed> {
	const times: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
	let sink = 0;
	for (let round = 0; round < WARMUP + RUNS; round++) {
		for (const [name, fn] of Object.entries(fns)) {
			const started = performance.now();
			const result = fn();
			const ms = performance.now() - started;
			sink += result ? 1 : 0;
			if (round >= WARMUP) times[name].push(ms);
		}
	}
	if (sink < 0) console.log(sink);
	return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, { medianMs: round3(median(xs)), minMs: round3(Math.min(...xs)) }]));
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const GIVEN = ['José', 'Zoë', 'Łukasz', 'Søren', '太郎', 'Анна', 'François', "Seán", 'Ayşe', 'Μαρία', 'Grace', 'محمد'];
const SURNAMES = ['Núñez', 'Müller-Lüdenscheidt', 'Brzęczyszczykiewicz', 'Ødegård', '山田', 'Иванова', "O'Brien", 'Çelik', 'Παπαδοπούλου', 'Hopper', 'Smith & Jones', 'الحسن'];
const COMMENTS = [
	'Late arrival ~23:00, please keep the room. Call +49 170 1234567 if needed.',
	'Allergic to feathers — hypoallergenic pillows please. Anniversary 🎉',
	'Twin beds <not> double; booking ref 2024-000123-77.',
	'Nous arriverons vers 18h, merci !',
	undefined,
];

/**
 * Realistic reservations: Unicode names (some with & and ' to exercise entity decoding), e-mail,
 * phone, card summary, comments; every third one holds two rooms of different types (a double and
 * a family room), each with its nightly prices, the way Booking.com and channel managers send them.
 */
export function sampleReservations(n: number): ChannelReservation[] {
	const first = today();
	return Array.from({ length: n }, (_, i) => {
		const arrival = addDays(first, 1 + (i % 200));
		const departure = addDays(arrival, 1 + (i % 6));
		const comments = COMMENTS[i % COMMENTS.length];
		const room = (index: number, roomType: string, perNight: number, adults: number, children: number): ChannelRoomStay => {
			const nightly = [];
			for (let night = arrival; night < departure; night = addDays(night, 1)) nightly.push({ date: night, amount: perNight });
			return {
				index: String(index),
				status: 'active',
				roomType,
				ratePlan: `RP-${['BAR', 'FLEX', 'NRF'][i % 3]}`,
				arrival,
				departure,
				units: 1,
				adults,
				children,
				childAges: children > 0 ? [4 + (i % 10)] : [],
				nightly,
				amount: perNight * nightly.length,
				currency: 'EUR',
			};
		};
		const roomStays = [room(1, `R-RT${String((i % 20) + 1).padStart(2, '0')}`, 10000 + 1000 * (i % 3), 1 + (i % 3), i % 4 === 0 ? 1 : 0)];
		if (i % 3 === 0) roomStays.push(room(2, 'R-FAM', 16000, 2, 2));
		return {
			channelReservationId: `BDC-${4_000_000_000 + i * 7919}`,
			version: `${i + 1}`,
			action: i % 10 === 9 ? 'modify' : 'book',
			hotelCode: 'HOTEL1',
			arrival,
			departure,
			roomStays,
			amount: roomStays.reduce((sum, each) => sum + each.amount!, 0),
			currency: 'EUR',
			guest: {
				name: `${GIVEN[i % GIVEN.length]} ${SURNAMES[(i * 7) % SURNAMES.length]}`,
				email: `guest${i}@example.com`,
				phone: `+49 30 ${String(1000000 + i).padStart(7, '0')}`,
			},
			card: { brand: ['VI', 'MC', 'AX'][i % 3], last4: String(1000 + (i % 9000)).slice(-4) },
			createdAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
			comments: comments ? [comments] : [],
			specialRequests: [],
		} satisfies ChannelReservation;
	});
}

function sampleUpdates(n: number): AvailUpdate[] {
	const first = today();
	return Array.from({ length: n }, (_, i) => {
		const start = addDays(first, (i * 3) % 700);
		return { roomType: `R-RT${String((i % 20) + 1).padStart(2, '0')}`, start, end: addDays(start, i % 5), bookingLimit: i % 11, stopSell: i % 17 === 0 };
	});
}

/** The tree buildHotelAvailNotifRQ hands to XMLBuilder for these updates (bookingLimit + stopSell only). */
function availTree(hotelCode: string, updates: AvailUpdate[], echoToken: string, timeStamp: string) {
	return {
		OTA_HotelAvailNotifRQ: {
			'@_xmlns': 'http://www.opentravel.org/OTA/2003/05',
			'@_EchoToken': echoToken,
			'@_TimeStamp': timeStamp,
			'@_Version': '1.0',
			AvailStatusMessages: {
				'@_HotelCode': hotelCode,
				AvailStatusMessage: updates.map((u) => ({
					'@_BookingLimit': u.bookingLimit,
					'@_BookingLimitMessageType': 'SetLimit',
					StatusApplicationControl: { '@_Start': u.start, '@_End': u.end, '@_InvTypeCode': u.roomType },
					RestrictionStatus: { '@_Status': u.stopSell ? 'Close' : 'Open' },
				})),
			},
		},
	};
}

function parseCase(): CodecCase {
	const xml = buildResRetrieveRS(sampleReservations(RESERVATIONS));
	const bytes = Buffer.byteLength(xml);
	const opts = { maxBytes: Math.max(bytes, 2 * 1024 * 1024) };
	const batch = parseReservations(xml, opts);
	const parsed = batch.reservations;
	if (parsed.length !== RESERVATIONS || batch.failures.length > 0) throw new Error(`parseReservations returned ${parsed.length} reservations and ${batch.failures.length} failures, expected ${RESERVATIONS} and none`);
	const fxp = new XMLParser(FXP_PARSE);
	const t = timeAll({ ours: () => parseReservations(xml, opts), fxp: () => fxp.parse(xml) });
	const ratio = t.ours.medianMs / t.fxp.medianMs;
	const c: CodecCase = {
		what: `parseReservations of a ${RESERVATIONS}-reservation OTA_ResRetrieveRS (${parsed.reduce((sum, r) => sum + r.roomStays.length, 0)} rooms) → ${parsed.length} ChannelReservation vs XMLParser.parse alone`,
		bytes,
		ours: t.ours,
		fxp: t.fxp,
		ratio: round3(ratio),
		goalMet: ratio <= CODEC_GOAL,
		notes: [`sample guest: ${parsed[6].guest.name}; names, comments and & ' round-trip: ${roundTrips(parsed) ? 'yes' : 'NO'}`],
	};
	if (!c.goalMet) c.breakdown = parseBreakdown(xml, opts);
	return c;
}

function roundTrips(parsed: ChannelReservation[]): boolean {
	const sent = sampleReservations(RESERVATIONS);
	return parsed.every(
		(p, i) =>
			p.guest.name === sent[i].guest.name &&
			JSON.stringify(p.comments) === JSON.stringify(sent[i].comments) &&
			p.channelReservationId === sent[i].channelReservationId &&
			JSON.stringify(p.roomStays) === JSON.stringify(sent[i].roomStays),
	);
}

/**
 * Where parseReservations spends its time. readXml = size check + DOCTYPE regex + XMLValidator +
 * XMLParser (lib options) + one in-place walk that decodes references and redacts card data; "reading"
 * is the rest (the tree to ChannelReservation). The walk changes the parser's fresh tree in place, so
 * it cannot be timed alone on one tree: it is readXml minus the stages timed here.
 */
function parseBreakdown(xml: string, opts: { maxBytes: number }): Record<string, number> {
	const libParser = new XMLParser(READER_OPTIONS);
	const t = timeAll({
		parseReservations: () => parseReservations(xml, opts),
		readXml: () => readXml(xml, opts),
		'XMLValidator.validate': () => XMLValidator.validate(xml),
		'XMLParser.parse (lib options)': () => libParser.parse(xml),
		'DOCTYPE/ENTITY regex + byteLength': () => /<!\s*(DOCTYPE|ENTITY)/i.test(xml) || Buffer.byteLength(xml) > 0,
	});
	const m = (k: string) => t[k].medianMs;
	return {
		parseReservations: m('parseReservations'),
		readXml: m('readXml'),
		'XMLValidator.validate': m('XMLValidator.validate'),
		'XMLParser.parse (lib options)': m('XMLParser.parse (lib options)'),
		'DOCTYPE/ENTITY regex + byteLength': m('DOCTYPE/ENTITY regex + byteLength'),
		'entity decoding + card redaction walk + rest of readXml (derived)': round3(
			m('readXml') - m('XMLValidator.validate') - m('XMLParser.parse (lib options)') - m('DOCTYPE/ENTITY regex + byteLength'),
		),
		'reading the tree into ChannelReservation (derived)': round3(m('parseReservations') - m('readXml')),
	};
}

function buildCase(): CodecCase {
	const updates = sampleUpdates(UPDATES);
	const echoToken = 'bench-echo-token';
	const timeStamp = '2025-01-01T00:00:00.000Z';
	const ours = () => buildHotelAvailNotifRQ('HOTEL1', updates, { echoToken, timeStamp });
	const tree = availTree('HOTEL1', updates, echoToken, timeStamp);
	const fxpBuilder = new XMLBuilder(FXP_BUILD);
	const fxp = () => fxpBuilder.build(tree) as string;
	const ourXml = ours();
	const fxpXml = fxp();
	// With the brief's options fxp writes empty elements as <X a="1"></X>, ours (suppressEmptyNode) as <X a="1"/>.
	const selfClosed = fxpXml.replace(/<([A-Za-z_][\w.-]*)([^<>]*)><\/\1>/g, '<$1$2/>');
	const same = ourXml === `<?xml version="1.0" encoding="UTF-8"?>\n${selfClosed}`;
	const t = timeAll({ ours, fxp });
	const ratio = t.ours.medianMs / t.fxp.medianMs;
	const c: CodecCase = {
		what: `buildHotelAvailNotifRQ of ${UPDATES} updates vs XMLBuilder.build alone on the equivalent tree (built beforehand)`,
		bytes: Buffer.byteLength(ourXml),
		ours: t.ours,
		fxp: t.fxp,
		ratio: round3(ratio),
		goalMet: ratio <= CODEC_GOAL,
		notes: [
			same
				? `same document: ours = declaration + fxp's output with empty elements self-closed (fxp with these options writes <X></X>: ${Buffer.byteLength(fxpXml)} bytes)`
				: `outputs DIFFER: ours ${ourXml.length} chars, fxp ${fxpXml.length} chars`,
		],
	};
	if (!c.goalMet) {
		const libBuilder = new XMLBuilder(WRITER_OPTIONS);
		const b = timeAll({ ours, 'XMLBuilder.build (lib options) on the tree': () => libBuilder.build(tree), 'tree construction alone': () => availTree('HOTEL1', updates, echoToken, timeStamp) });
		c.breakdown = {
			buildHotelAvailNotifRQ: b.ours.medianMs,
			'XMLBuilder.build (lib options) on the tree': b['XMLBuilder.build (lib options) on the tree'].medianMs,
			'plain tree construction (no checks)': b['tree construction alone'].medianMs,
			'value checks + tree construction (derived)': round3(b.ours.medianMs - b['XMLBuilder.build (lib options) on the tree'].medianMs),
		};
	}
	return c;
}

export function runOtaCodec(progress: (m: string) => void): OtaCodecReport {
	progress(`OTA codec: parse ${RESERVATIONS} reservations and build ${UPDATES} updates, ${WARMUP} warm-up + ${RUNS} runs each...`);
	const parse = parseCase();
	const build = buildCase();
	return { runs: RUNS, warmup: WARMUP, fxpOptions: { parse: FXP_PARSE, build: FXP_BUILD }, parse, build, suggestions: suggestions(parse, build) };
}

function suggestions(parse: CodecCase, build: CodecCase): string[] {
	const out: string[] = [];
	const b = parse.breakdown;
	if (b) {
		const [top, ms] = Object.entries(b)
			.filter(([k]) => k !== 'parseReservations' && k !== 'readXml')
			.sort((x, y) => y[1] - x[1])[0];
		out.push(`parse: ${fixed(parse.ratio)}× fxp; largest stage: ${top} (${fixed(ms)} ms of ${fixed(b.parseReservations)} ms).`);
		const validate = b['XMLValidator.validate'];
		if (validate / b.parseReservations > 0.2) {
			out.push(
				`parse: XMLValidator.validate is a second full pass over the text (${fixed(validate)} ms, ≈ ${fixed(validate / parse.fxp.medianMs)}× a parse). ` +
					'It cannot be skipped: XMLParser accepts mismatched, unclosed and repeated tags or attributes without a word; only a faster well-formedness check of our own would cut it.',
			);
		}
		const walk = b['entity decoding + card redaction walk + rest of readXml (derived)'];
		if (walk / b.parseReservations > 0.1) {
			out.push(
				`parse: decoding references and redacting card data take ${fixed(walk)} ms for one walk over the tree: ` +
					'check that texts with fewer than 13 digits skip the card-number regex and that objects are not copied.',
			);
		}
		const reading = b['reading the tree into ChannelReservation (derived)'];
		if (reading / b.parseReservations > 0.1) {
			out.push(
				`parse: reading the tree into ChannelReservation takes ${fixed(reading)} ms: profile the readers (xmlTree.ts helpers, readDate, ` +
					'the PaymentCard search in readCard).',
			);
		}
		const libVsBrief = b['XMLParser.parse (lib options)'] / parse.fxp.medianMs;
		out.push(`parse: fxp with our reader's options takes ${fixed(libVsBrief)}× fxp with the brief's options (trimValues: false, cdataPropName, no value parsing): that part is fxp itself.`);
	}
	const bb = build.breakdown;
	if (bb) {
		out.push(
			`build: ${fixed(build.ratio)}× fxp; value checks + tree construction ${fixed(bb['value checks + tree construction (derived)'])} ms, ` +
				`XMLBuilder with lib options ${fixed(bb['XMLBuilder.build (lib options) on the tree'])} ms of ${fixed(bb.buildHotelAvailNotifRQ)} ms.`,
		);
	}
	return out;
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
