/**
 * Reservations from channels, read leniently and one at a time.
 *
 * Lenient: real channels leave out elements the schema requires (Booking.com sends no
 * BasicPropertyInfo and no TimeSpan) and put the same facts in different places, so each fact is
 * looked for where channels are known to put it (test/fixtures/ota/corpus holds their shapes).
 *
 * One at a time: a message that holds ten reservations, one of them unreadable, yields nine
 * reservations and one ReservationFailure naming it ("HotelReservation[3]/RoomStays/RoomStay[1]: no
 * stay dates …"). Only a problem with the message itself (not XML, too large, not an OTA
 * reservation message, an OTA namespace it is not in) throws an OtaMessageError for the whole.
 *
 * Messages: OTA_HotelResNotifRQ (new, or per ResStatus), OTA_HotelResModifyNotifRQ (modify; cancel
 * when ResStatus says Cancel), OTA_ResRetrieveRS (per ResStatus: Book/Modify/Cancel), OTA_CancelRQ.
 *
 * A reservation holds room stays (ChannelRoomStay), each with its own room type, rate plan, stay,
 * guests, nightly prices and total. A room's stay is its TimeSpan, else the span of its nightly
 * rates (a rate's ExpireDate is the departure morning, as Booking.com uses it; a rate without one
 * covers UnitMultiplier nights), else ResGlobalInfo's TimeSpan.
 *
 * Version (to de-duplicate redeliveries): UniqueID/@Instance, else the reservation's
 * @LastModifyDateTime, else — for a booking only — @CreateDateTime or a HotelReservationID/@ResID_Date;
 * otherwise "sha256:" + a hash of the parsed reservation, so an identical redelivery gets the same
 * version and any change a new one (a modification carries its booking's creation date too).
 *
 * Card data has already been reduced to brand + last four digits by the XML reader.
 */
import { createHash } from 'node:crypto';
import { currencyDecimals, parseAmount, parseDecimalPlaces } from './amounts';
import { MAX_CHANNEL_RESERVATION_ID, UNIQUE_ID_TYPE } from './constants';
import { maskCardNumbers } from './cardRedaction';
import { addDays, indexed, readCount, readDate } from './contentReaders';
import { invalidContent, OtaMessageError } from './errors';
import { parseExpected } from './otaDocument';
import type {
	ChannelReservation,
	ChannelRoomStay,
	NightPrice,
	ParseOptions,
	PaymentModel,
	ReservationAction,
	ReservationBatch,
	ReservationFailure,
	XmlNode,
	XmlValue,
} from './types';
import { attr, child, children, descend, descendAll, text } from './xmlTree';
import { serializeElement, type XmlBody } from './xmlWriter';

export const RESERVATION_MESSAGES = ['OTA_HotelResNotifRQ', 'OTA_HotelResModifyNotifRQ', 'OTA_ResRetrieveRS', 'OTA_CancelRQ'] as const;

/** The longest stay read out of a message: a rate "valid" for ten years must not become 3,650 nights. */
export const MAX_STAY_NIGHTS = 731;
/** Rooms in one reservation, and nightly rates in one room: more is not a booking but an attack on the parser. */
export const MAX_ROOMS = 100;
const MAX_RATE_NIGHTS = 4 * MAX_STAY_NIGHTS;

/** UniqueID / HotelReservationID types that carry a channel's reservation id: 14 Reservation, 8 (Expedia's use). */
const CHANNEL_ID_TYPES = [UNIQUE_ID_TYPE.reservation, '8'];

const ACTIONS: Record<string, ReservationAction> = {
	book: 'book',
	commit: 'book',
	initiate: 'book',
	reserved: 'book',
	requested: 'book',
	confirmed: 'book',
	new: 'book',
	modify: 'modify',
	modified: 'modify',
	amend: 'modify',
	cancel: 'cancel',
	cancelled: 'cancel',
	canceled: 'cancel',
};
/** AQC codes counted as children: 3 under 2, 4 under 12, 5 under 17, 7 infant, 8 child, 12 under 10, 13 junior. */
const CHILD_AGE_CODES = new Set(['3', '4', '5', '7', '8', '12', '13']);

export function parseReservations(xml: string | Uint8Array, opts?: ParseOptions): ReservationBatch {
	const message = parseExpected(xml, RESERVATION_MESSAGES, opts);
	const body = message.body;
	const batch: ReservationBatch = { root: message.root, reservations: [], failures: [] };
	if (message.echoToken !== undefined) batch.echoToken = message.echoToken;
	const rootStatus = attr(body, 'ResStatus');
	let entries: Array<{ node: XmlNode; path: string; action: ReservationAction }>;
	switch (message.root) {
		case 'OTA_HotelResNotifRQ':
			entries = descendAll(body, 'HotelReservations', 'HotelReservation').map((node, index) => ({
				node,
				path: indexed('HotelReservation', index),
				action: statusAction(attr(node, 'ResStatus') ?? rootStatus) ?? 'book',
			}));
			break;
		case 'OTA_HotelResModifyNotifRQ':
			entries = descendAll(body, 'HotelResModifies', 'HotelResModify').map((node, index) => ({
				node,
				path: indexed('HotelResModify', index),
				action: statusAction(attr(node, 'ResStatus') ?? rootStatus) === 'cancel' ? 'cancel' : 'modify',
			}));
			break;
		case 'OTA_ResRetrieveRS': {
			const errors = descendAll(body, 'Errors', 'Error');
			if (errors.length > 0) {
				const first = errors[0];
				throw new OtaMessageError('invalid_content', `the channel answered with errors: ${text(first) ?? attr(first, 'ShortText') ?? attr(first, 'Code') ?? 'unknown error'}`, 'OTA_ResRetrieveRS/Errors');
			}
			entries = descendAll(body, 'ReservationsList', 'HotelReservation').map((node, index) => ({
				node,
				path: indexed('HotelReservation', index),
				action: statusAction(attr(node, 'ResStatus')) ?? 'book',
			}));
			break;
		}
		default:
			entries = [{ node: body, path: 'OTA_CancelRQ', action: 'cancel' }];
	}
	const element = ELEMENT_OF_ROOT[message.root];
	const sources = new WeakMap<ChannelReservation, { node: XmlNode; position: number }>();
	entries.forEach((entry, index) => {
		try {
			const reservation = message.root === 'OTA_CancelRQ' ? readCancelRequest(entry.node) : readReservation(entry.node, entry.path, entry.action);
			sources.set(reservation, { node: entry.node, position: index + 1 });
			batch.reservations.push(reservation);
		} catch (error) {
			batch.failures.push(failureOf(entry, index, error, element));
		}
	});
	const sourceOf = (reservation: ChannelReservation) => {
		const source = sources.get(reservation);
		return { position: source?.position ?? 0, excerpt: excerptOf(element, source?.node) };
	};
	Object.defineProperty(batch, 'sourceOf', { value: sourceOf, enumerable: false });
	return batch;
}

/** What to tell the channel and hotel IT about a reservation that could not be read. */
function failureOf(entry: { node: XmlNode; path: string; action: ReservationAction }, index: number, error: unknown, element: string): ReservationFailure {
	const failure: ReservationFailure = {
		position: index + 1,
		action: entry.action,
		path: error instanceof OtaMessageError && error.path ? error.path : entry.path,
		reason: error instanceof Error ? error.message : String(error),
	};
	const id = channelIdOf(entry.node);
	// An id no acknowledgement can carry is left out: the channel's own fallback takes over for it.
	if (id && id.length <= MAX_CHANNEL_RESERVATION_ID) failure.channelReservationId = id;
	const excerpt = excerptOf(element, entry.node);
	if (excerpt) failure.excerpt = excerpt;
	return failure;
}

const ELEMENT_OF_ROOT: Record<string, string> = {
	OTA_HotelResNotifRQ: 'HotelReservation',
	OTA_HotelResModifyNotifRQ: 'HotelResModify',
	OTA_ResRetrieveRS: 'HotelReservation',
	OTA_CancelRQ: 'OTA_CancelRQ',
};

/** The element as read (card data was removed by the reader), written back as XML, at most 64 KB. */
function excerptOf(element: string, node: XmlNode | undefined): string | undefined {
	if (!node) return undefined;
	try {
		// Card elements were replaced by the reader; a number in an attribute it does not know (a channel's TPA) is masked here.
		return maskCardNumbers(serializeElement(element, cdataAsText(node) as XmlBody).slice(0, 65_536));
	} catch {
		return undefined;
	}
}

function cdataAsText(value: XmlValue): XmlValue {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) return value.map(cdataAsText);
	return Object.fromEntries(Object.entries(value).map(([key, each]) => [key === '#cdata' ? '#text' : key, cdataAsText(each)]));
}

function statusAction(status: string | undefined): ReservationAction | undefined {
	return status === undefined ? undefined : ACTIONS[status.toLowerCase()];
}

function readReservation(node: XmlNode, path: string, action: ReservationAction): ChannelReservation {
	const channelReservationId = channelIdOf(node);
	if (!channelReservationId) throw invalidContent(path, 'missing UniqueID ID (and no HotelReservationID)');
	if (channelReservationId.length > MAX_CHANNEL_RESERVATION_ID) throw invalidContent(path, `the reservation id is longer than ${MAX_CHANNEL_RESERVATION_ID} characters`);
	const globalInfo = child(node, 'ResGlobalInfo');
	const resGuests = descendAll(node, 'ResGuests', 'ResGuest');
	const roomStayNodes = descendAll(node, 'RoomStays', 'RoomStay');
	if (roomStayNodes.length > MAX_ROOMS) throw invalidContent(`${path}/RoomStays`, `${roomStayNodes.length} rooms in one reservation; at most ${MAX_ROOMS} are read`);
	const context: RoomContext = {
		action,
		globalSpan: child(globalInfo, 'TimeSpan'),
		globalSpanPath: `${path}/ResGlobalInfo/TimeSpan`,
		// Guest counts given once for the whole reservation can only be placed when there is one room.
		globalGuestCounts: roomStayNodes.length === 1 ? descendAll(globalInfo, 'GuestCounts', 'GuestCount') : [],
		guestsByRph: guestNamesByRph(resGuests),
	};
	const roomStays = roomStayNodes.map((roomStay, index) => readRoomStay(roomStay, index, `${path}/RoomStays/${indexed('RoomStay', index)}`, context));
	if (roomStays.length === 0 && action !== 'cancel') {
		// A channel that dates the whole reservation but lists no room cannot be sold: say so.
		throw invalidContent(path, 'no RoomStay: the reservation names no room');
	}
	const dated = roomStays.filter((room) => room.arrival !== undefined);
	const money = reservationMoney(globalInfo, roomStays, `${path}/ResGlobalInfo/Total`);
	const hotelCode =
		roomStayNodes.map((roomStay) => attr(child(roomStay, 'BasicPropertyInfo'), 'HotelCode')).find(Boolean) ??
		attr(child(globalInfo, 'BasicPropertyInfo'), 'HotelCode') ??
		attr(child(node, 'BasicPropertyInfo'), 'HotelCode');
	const notes = readNotes(node);
	// One search of the reservation for its card: the summary the XML reader left of it.
	const paymentCard = findElement(node, 'PaymentCard');
	const reservation: ChannelReservation = {
		channelReservationId,
		version: '',
		action,
		hotelCode,
		arrival: dated.length ? dated.map((room) => room.arrival!).reduce(earliest) : undefined,
		departure: dated.length ? dated.map((room) => room.departure!).reduce(latest) : undefined,
		roomStays,
		amount: money.amount,
		currency: money.currency,
		taxes: money.taxes,
		commission: readCommission(roomStayNodes, globalInfo, money.currency, path),
		paymentModel: readPaymentModel(node, notes, paymentCard),
		guest: readGuest(resGuests, globalInfo),
		card: readCard(paymentCard),
		createdAt: attr(node, 'CreateDateTime'),
		comments: notes.comments,
		specialRequests: notes.specialRequests,
	};
	const uniqueId = pickUniqueId(children(node, 'UniqueID'));
	// When the booking was made says which version a booking is, not a modification of it:
	// Booking.com keeps the creation date in every later message, so a change must be told apart by its content.
	const created = action === 'book' ? (attr(node, 'CreateDateTime') ?? descendAll(globalInfo, 'HotelReservationIDs', 'HotelReservationID').map((id) => attr(id, 'ResID_Date')).find(Boolean)) : undefined;
	reservation.version = attr(uniqueId, 'Instance') ?? attr(node, 'LastModifyDateTime') ?? created ?? contentVersion(reservation);
	return withoutUndefined(reservation);
}

/** The channel's reservation id: UniqueID (Type 14 first), else HotelReservationID of type 14, then 8 (Expedia), then the first. */
function channelIdOf(node: XmlNode): string | undefined {
	const fromUniqueId = attr(pickUniqueId(children(node, 'UniqueID')), 'ID');
	if (fromUniqueId) return fromUniqueId;
	const ids = descendAll(node, 'ResGlobalInfo', 'HotelReservationIDs', 'HotelReservationID').filter((id) => attr(id, 'ResID_Value'));
	const typed = CHANNEL_ID_TYPES.map((type) => ids.find((id) => attr(id, 'ResID_Type') === type)).find(Boolean);
	return attr(typed ?? ids[0], 'ResID_Value');
}

/** The channel's reservation id: UniqueID Type 14 (Reservation) if there is one, else the first. */
function pickUniqueId(ids: XmlNode[]): XmlNode | undefined {
	return ids.find((id) => attr(id, 'Type') === UNIQUE_ID_TYPE.reservation && attr(id, 'ID')) ?? ids.find((id) => attr(id, 'ID'));
}

interface RoomContext {
	action: ReservationAction;
	globalSpan: XmlNode | undefined;
	globalSpanPath: string;
	globalGuestCounts: XmlNode[];
	guestsByRph: Map<string, string>;
}

function readRoomStay(node: XmlNode, index: number, path: string, context: RoomContext): ChannelRoomStay {
	const roomType = descend(node, 'RoomTypes', 'RoomType');
	const roomRates = descendAll(node, 'RoomRates', 'RoomRate');
	// RoomStayStatus (2015B); HotelTrader writes RoomStatus.
	const status = statusAction(attr(node, 'RoomStayStatus') ?? attr(node, 'RoomStatus')) === 'cancel' ? 'cancelled' : 'active';
	const units = attr(roomType, 'NumberOfUnits') ?? attr(roomRates[0], 'NumberOfUnits');
	const total = child(node, 'Total');
	const totalMoney = total ? readMoney(total, `${path}/Total`) : undefined;
	const rates = readNightlyRates(roomRates, `${path}/RoomRates`, totalMoney?.amount);
	const stay = readRoomDates(node, rates, path, context, status);
	const guests = countGuests(descendAll(node, 'GuestCounts', 'GuestCount'), context.globalGuestCounts, `${path}/GuestCounts/GuestCount`);
	const guestName = guestRphs(node)
		.map((rph) => context.guestsByRph.get(rph))
		.find(Boolean);
	const nightly = rates.nights;
	const amount = totalMoney?.amount ?? (nightly.length > 0 ? nightly.reduce((sum, night) => sum + night.amount, 0) : undefined);
	return withoutUndefined({
		index: attr(node, 'IndexNumber') ?? attr(node, 'RoomStayCandidateRPH') ?? String(index + 1),
		status,
		roomType: attr(roomType, 'RoomTypeCode') ?? attr(roomRates[0], 'RoomTypeCode') ?? attr(roomType, 'RoomType') ?? attr(roomType, 'RoomID'),
		ratePlan: attr(descend(node, 'RatePlans', 'RatePlan'), 'RatePlanCode') ?? attr(roomRates[0], 'RatePlanCode') ?? attr(roomRates[0], 'RatePlanID'),
		arrival: stay.arrival,
		departure: stay.departure,
		units: units === undefined ? 1 : readCount(units, `${path}/RoomTypes/RoomType`, 'NumberOfUnits'),
		adults: guests.adults,
		children: guests.children,
		childAges: guests.childAges,
		guestName,
		nightly,
		amount,
		taxes: totalMoney?.taxes ?? priceDetailTaxes(node, `${path}/PriceDetails`),
		currency: totalMoney?.currency ?? rates.currency,
	});
}

/** Booking.com's price details (HotelView, else GuestView): the taxes of the room, where the room's Total does not say them. */
function priceDetailTaxes(roomStay: XmlNode, path: string): number | undefined {
	const view = descend(roomStay, 'PriceDetails', 'HotelView') ?? descend(roomStay, 'PriceDetails', 'GuestView');
	const taxes = descendAll(view, 'Taxes', 'Tax');
	if (taxes.length === 0) return undefined;
	return taxes.reduce((sum, tax) => sum + (readMoney({ ...tax, '@_AmountAfterTax': attr(tax, 'Amount') ?? '0' }, `${path}/Taxes/Tax`).amount ?? 0), 0);
}

/** The room's TimeSpan, else its nightly rates' span, else the reservation's TimeSpan. */
function readRoomDates(node: XmlNode, rates: NightlyRates, path: string, context: RoomContext, status: 'active' | 'cancelled'): { arrival?: string; departure?: string } {
	const span = child(node, 'TimeSpan');
	if (attr(span, 'Start')) return readSpan(span!, `${path}/TimeSpan`);
	if (rates.arrival !== undefined) return { arrival: rates.arrival, departure: rates.departure };
	if (attr(context.globalSpan, 'Start')) return readSpan(context.globalSpan!, context.globalSpanPath);
	// A cancellation may name the reservation (or the room) only; a booking without dates cannot be sold.
	if (context.action === 'cancel' || status === 'cancelled') return {};
	throw invalidContent(path, 'no stay dates: no TimeSpan Start, no nightly rate with an EffectiveDate and no ResGlobalInfo/TimeSpan');
}

function readSpan(span: XmlNode, path: string): { arrival: string; departure: string } {
	const arrival = readDate(attr(span, 'Start')!, path, 'Start');
	const endValue = attr(span, 'End');
	const nights = /^P(\d{1,4})[ND]$/.exec(attr(span, 'Duration') ?? '')?.[1];
	let departure: string;
	if (endValue) departure = readDate(endValue, path, 'End');
	else if (nights) departure = addDays(arrival, Number(nights));
	else throw invalidContent(path, 'has a Start but neither End nor Duration');
	if (departure <= arrival) throw invalidContent(path, `End ${departure} is not after Start ${arrival}`);
	checkLength(arrival, departure, path);
	return { arrival, departure };
}

function checkLength(arrival: string, departure: string, path: string): void {
	if (departure > addDays(arrival, MAX_STAY_NIGHTS)) throw invalidContent(path, `a stay from ${arrival} to ${departure} is longer than ${MAX_STAY_NIGHTS} nights`);
}

interface NightlyRates {
	nights: NightPrice[];
	arrival?: string;
	departure?: string;
	currency?: string;
}

/**
 * RoomRate/Rates/Rate: each covers EffectiveDate up to (not including) ExpireDate, or UnitMultiplier
 * nights (default 1) without an ExpireDate. Channels disagree on what the amount of a rate over
 * several nights is: OTA and SiteMinder's older examples give a Base per night and a Total for all
 * the nights; SiteConnect accumulates the Base; SiteMinder's cancellation example gives a Total per
 * night. So: Base per night and Total shared out (any remainder on the first night) — unless that
 * does not add up to the room's own Total and the other reading does; then the other reading.
 * Two rates for one night (a room price and an extra-person charge) add up.
 */
function readNightlyRates(roomRates: XmlNode[], path: string, roomTotal: number | undefined): NightlyRates {
	const spans: RateSpan[] = [];
	const result: NightlyRates = { nights: [] };
	// Day numbers, not Date objects: a 1,000-reservation pull reads some 5,000 rates.
	let first = Infinity;
	let last = -Infinity;
	let expanded = 0;
	roomRates.forEach((roomRate, rateIndex) => {
		const ratePath = `${path}/${indexed('RoomRate', rateIndex)}`;
		const rates = descendAll(roomRate, 'Rates', 'Rate');
		for (const rate of rates.length > 0 ? rates : [roomRate]) {
			const ownStart = attr(rate, 'EffectiveDate');
			const startValue = ownStart ?? attr(roomRate, 'EffectiveDate');
			if (!startValue) continue;
			const start = dayNumber(readDate(startValue, ratePath, 'EffectiveDate'));
			const endValue = ownStart ? attr(rate, 'ExpireDate') : (attr(rate, 'ExpireDate') ?? attr(roomRate, 'ExpireDate'));
			const multiplier = attr(rate, 'UnitMultiplier');
			let end = endValue ? dayNumber(readDate(endValue, ratePath, 'ExpireDate')) : start;
			// An ExpireDate on (or before) the EffectiveDate is a one-night rate written inclusively.
			if (end <= start) end = start + (multiplier ? Math.max(1, readCount(multiplier, ratePath, 'UnitMultiplier')) : 1);
			// The rate, the room's whole span, and the nights all its rates add up to are bounded before anything is expanded.
			first = Math.min(first, start);
			last = Math.max(last, end);
			if (last - first > MAX_STAY_NIGHTS) throw invalidContent(path, `a stay from ${dateOfDay(first)} to ${dateOfDay(last)} is longer than ${MAX_STAY_NIGHTS} nights`);
			expanded += end - start;
			if (expanded > MAX_RATE_NIGHTS) throw invalidContent(path, `the nightly rates cover more than ${MAX_RATE_NIGHTS} nights`);
			const price = ratePrice(rate, ratePath);
			if (!price) continue;
			result.currency ??= price.currency;
			const nights: string[] = [];
			for (let night = start; night < end; night++) nights.push(dateOfDay(night));
			spans.push({ nights, amount: price.amount, perNight: price.perNight });
		}
	});
	if (first !== Infinity) {
		result.arrival = dateOfDay(first);
		result.departure = dateOfDay(last);
	}
	let byNight = spreadOver(spans, false);
	if (roomTotal !== undefined && sum(byNight) !== roomTotal) {
		const other = spreadOver(spans, true);
		if (sum(other) === roomTotal) byNight = other;
	}
	result.nights = [...byNight.keys()].sort().map((date) => ({ date, amount: byNight.get(date)! }));
	return result;
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
/** The same few hundred nights recur across a pull's reservations: their names are kept. */
const dateNames = new Map<number, string>();
function dateOfDay(day: number): string {
	let name = dateNames.get(day);
	if (name === undefined) {
		if (dateNames.size > 10_000) dateNames.clear();
		name = new Date(day * DAY_MS).toISOString().slice(0, 10);
		dateNames.set(day, name);
	}
	return name;
}

interface RateSpan {
	nights: string[];
	amount: number;
	/** A Base (per night) rather than a Total (for the span), in the usual reading. */
	perNight: boolean;
}

/** Each night's price; `flipped` reads a Base as the span's total and a Total as per night. */
function spreadOver(spans: RateSpan[], flipped: boolean): Map<string, number> {
	const byNight = new Map<string, number>();
	for (const span of spans) {
		const perNight = span.perNight !== flipped || span.nights.length === 1;
		const each = perNight ? span.amount : Math.floor(span.amount / span.nights.length);
		const remainder = perNight ? 0 : span.amount - each * span.nights.length;
		span.nights.forEach((night, i) => byNight.set(night, (byNight.get(night) ?? 0) + each + (i === 0 ? remainder : 0)));
	}
	return byNight;
}

const sum = (byNight: Map<string, number>) => [...byNight.values()].reduce((total, amount) => total + amount, 0);

/** A rate's price: Base per night, else Total for all its nights. */
function ratePrice(rate: XmlNode, path: string): { amount: number; perNight: boolean; currency?: string } | undefined {
	for (const [name, perNight] of [['Base', true], ['Total', false]] as const) {
		const element = child(rate, name);
		if (!element) continue;
		const money = readMoney(element, `${path}/${name}`);
		if (money.amount !== undefined) return { amount: money.amount, perNight, currency: money.currency };
	}
	return undefined;
}

/** Room guests from the room's GuestCounts (else the reservation's, for a single room). A GuestCount without a code counts as adults. */
function countGuests(counts: XmlNode[], fallback: XmlNode[], path: string): { adults: number; children: number; childAges: number[] } {
	const result = { adults: 0, children: 0, childAges: [] as number[] };
	for (const count of counts.length > 0 ? counts : fallback) {
		const value = attr(count, 'Count');
		const number = value === undefined ? 1 : readCount(value, path, 'Count');
		if (!CHILD_AGE_CODES.has(attr(count, 'AgeQualifyingCode') ?? '10')) {
			result.adults += number;
			continue;
		}
		result.children += number;
		const age = attr(count, 'Age');
		if (age !== undefined && /^\d{1,2}$/.test(age)) for (let i = 0; i < Math.min(number, 99); i++) result.childAges.push(Number(age));
	}
	return result;
}

interface Money {
	amount?: number;
	currency?: string;
	taxes?: number;
}

/** After tax if given, else before tax; in minor units of the currency's ISO minor unit. Taxes from Taxes, else the difference. */
function readMoney(total: XmlNode, path: string): Money {
	const currency = attr(total, 'CurrencyCode')?.toUpperCase();
	const stated = parseDecimalPlaces(attr(total, 'DecimalPlaces'), path);
	const target = currency ? currencyDecimals(currency) : (stated ?? 2);
	// No closures here: this runs for every nightly rate of a pull (thousands of times).
	const afterValue = attr(total, 'AmountAfterTax');
	const beforeValue = attr(total, 'AmountBeforeTax');
	const afterTax = afterValue === undefined ? undefined : parseAmount(afterValue, stated, target, path);
	const beforeTax = beforeValue === undefined ? undefined : parseAmount(beforeValue, stated, target, path);
	const taxes = child(total, 'Taxes');
	let taxAmount = taxes === undefined ? undefined : readTaxes(taxes, stated, target, `${path}/Taxes`);
	if (taxAmount === undefined && afterTax !== undefined && beforeTax !== undefined && afterTax > beforeTax) taxAmount = afterTax - beforeTax;
	return { amount: afterTax ?? beforeTax, currency, taxes: taxAmount };
}

/** Taxes/@Amount, else the sum of its Tax/@Amount; each may state its own DecimalPlaces. */
function readTaxes(taxes: XmlNode, stated: number | undefined, target: number, path: string): number | undefined {
	const whole = attr(taxes, 'Amount');
	if (whole !== undefined) return parseAmount(whole, parseDecimalPlaces(attr(taxes, 'DecimalPlaces'), path) ?? stated, target, path);
	let sum: number | undefined;
	for (const tax of children(taxes, 'Tax')) {
		const amount = attr(tax, 'Amount');
		if (amount !== undefined) sum = (sum ?? 0) + parseAmount(amount, parseDecimalPlaces(attr(tax, 'DecimalPlaces'), `${path}/Tax`) ?? stated, target, `${path}/Tax`);
	}
	return sum;
}

/** ResGlobalInfo/Total, else the sum of the active rooms' totals (when every active room has one, in one currency). */
function reservationMoney(globalInfo: XmlNode | undefined, rooms: ChannelRoomStay[], path: string): Money {
	const globalTotal = child(globalInfo, 'Total');
	if (globalTotal) {
		const money = readMoney(globalTotal, path);
		if (money.amount !== undefined || money.currency !== undefined) {
			return { ...money, currency: money.currency ?? rooms.find((room) => room.currency)?.currency, taxes: money.taxes ?? roomTaxes(rooms) };
		}
	}
	const active = rooms.filter((room) => room.status === 'active');
	const currencies = new Set(active.map((room) => room.currency).filter(Boolean));
	if (currencies.size > 1) throw invalidContent(path.replace(/\/ResGlobalInfo\/Total$/, '/RoomStays'), 'room stay totals are in different currencies');
	const priced = active.length > 0 && active.every((room) => room.amount !== undefined);
	return {
		amount: priced ? active.reduce((sum, room) => sum + room.amount!, 0) : undefined,
		currency: [...currencies][0] as string | undefined,
		taxes: roomTaxes(rooms),
	};
}

/** The active rooms' taxes added up, when any room states them. */
function roomTaxes(rooms: ChannelRoomStay[]): number | undefined {
	const taxed = rooms.filter((room) => room.status === 'active' && room.taxes !== undefined);
	return taxed.length > 0 ? taxed.reduce((sum, room) => sum + room.taxes!, 0) : undefined;
}

/**
 * The channel's commission, as an amount: ResGlobalInfo/TotalCommissions (Booking.com) or
 * ResGlobalInfo/Commission, else the rooms' RatePlan/Commission (Booking.com, SiteMinder) summed.
 * A commission given only as a percentage (Expedia) is left out: the amount is not in the message.
 */
function readCommission(roomStays: XmlNode[], globalInfo: XmlNode | undefined, currency: string | undefined, path: string): number | undefined {
	const where = `${path}/Commission`;
	const total = commissionAmount(child(globalInfo, 'TotalCommissions'), currency, where) ?? commissionAmount(child(globalInfo, 'Commission'), currency, where);
	if (total !== undefined) return total;
	let sum: number | undefined;
	for (const roomStay of roomStays) {
		const amount = commissionAmount(descend(roomStay, 'RatePlans', 'RatePlan', 'Commission'), currency, where) ?? commissionAmount(child(roomStay, 'Commission'), currency, where);
		if (amount !== undefined) sum = (sum ?? 0) + amount;
	}
	return sum;
}

function commissionAmount(commission: XmlNode | undefined, currency: string | undefined, path: string): number | undefined {
	const payable = child(commission, 'CommissionPayableAmount') ?? commission;
	const value = attr(payable, 'Amount');
	if (value === undefined) return undefined;
	const code = attr(payable, 'CurrencyCode')?.toUpperCase() ?? currency;
	const places = parseDecimalPlaces(attr(payable, 'DecimalPlaces'), path);
	return parseAmount(value, places, code ? currencyDecimals(code) : (places ?? 2), path);
}

/**
 * How the guest pays, where the message says it: a virtual card (the card summary says so:
 * Booking.com's card balance, Expedia's "VirtualCard" holder; or the channel's own note), the
 * channel collecting (prepaid), or the hotel collecting (Expedia's "Hotel Collect" instruction).
 * Absent when the message does not say.
 */
function readPaymentModel(node: XmlNode, notes: { comments: string[] }, paymentCard: XmlNode | undefined): PaymentModel | undefined {
	if (paymentCard?.['@_Virtual'] === 'true') return 'virtual_card';
	// Only what the channel itself writes: Expedia's payment instruction (SpecialRequest RequestCode 5)
	// and Booking.com's virtual card notice. A guest asking "can I pay at the hotel?" decides nothing.
	const instructions = descendAll(node, 'RoomStays', 'RoomStay', 'SpecialRequests', 'SpecialRequest')
		.concat(descendAll(node, 'ResGlobalInfo', 'SpecialRequests', 'SpecialRequest'))
		.filter((request) => attr(request, 'RequestCode') === '5')
		.map((request) => [text(request), ...children(request, 'Text').map(text)].filter(Boolean).join(' '));
	const channelSaid = [...instructions, ...notes.comments.filter((comment) => /you have received a virtual credit card/i.test(comment))].join('\n');
	if (/virtual ?card|virtual credit card|\bVCC\b|\bEVC\b/i.test(channelSaid)) return 'virtual_card';
	if (/hotel[ -]collect/i.test(channelSaid)) return 'hotel_collect';
	if (/(expedia|channel|agency|merchant)[ -]collect|prepaid/i.test(channelSaid)) return 'channel_collect';
	return undefined;
}

/** The guests a room points at: ResGuestRPHs as a list ("1 2", OTA 2015B) or as ResGuestRPH elements (older versions, SiteMinder). */
function guestRphs(roomStay: XmlNode): string[] {
	const holder = child(roomStay, 'ResGuestRPHs');
	const listed = text(holder)?.split(/\s+/) ?? [];
	return [...listed, ...children(holder, 'ResGuestRPH').map((rph) => attr(rph, 'RPH') ?? '')].filter(Boolean);
}

/** Names of the ResGuests by their ResGuestRPH, for the rooms that point at them. */
function guestNamesByRph(resGuests: XmlNode[]): Map<string, string> {
	const names = new Map<string, string>();
	for (const guest of resGuests) {
		const rph = attr(guest, 'ResGuestRPH');
		const name = personName(child(customerOf(guest), 'PersonName'));
		if (rph !== undefined && name && !names.has(rph)) names.set(rph, name);
	}
	return names;
}

function customerOf(holder: XmlNode | undefined): XmlNode | undefined {
	return descend(holder, 'Profiles', 'ProfileInfo', 'Profile', 'Customer');
}

/**
 * The primary ResGuest (PrimaryIndicator), else the first named one; else ResGlobalInfo's profile
 * (the booker). Contact details from the guest, else from the booker: Booking.com gives the
 * booker's only. Never from payment data.
 */
function readGuest(resGuests: XmlNode[], globalInfo: XmlNode | undefined): ChannelReservation['guest'] {
	const named = resGuests.filter((guest) => personName(child(customerOf(guest), 'PersonName')));
	const primary = named.find((guest) => attr(guest, 'PrimaryIndicator') === 'true' || attr(guest, 'PrimaryIndicator') === '1') ?? named[0];
	const booker = customerOf(globalInfo);
	const customer = customerOf(primary) ?? booker;
	const guest: ChannelReservation['guest'] = { name: personName(child(customer, 'PersonName')) };
	const email = text(child(customer, 'Email')) ?? text(child(booker, 'Email'));
	const phone = phoneOf(child(customer, 'Telephone')) ?? phoneOf(child(booker, 'Telephone'));
	if (email) guest.email = email;
	if (phone) guest.phone = phone;
	return guest;
}

/** A phone number, whole or in parts (Expedia: CountryAccessCode, AreaCityCode, PhoneNumber). */
function phoneOf(telephone: XmlNode | undefined): string | undefined {
	const number = attr(telephone, 'PhoneNumber');
	if (!number) return undefined;
	const country = attr(telephone, 'CountryAccessCode');
	return [country ? `+${country.replace(/^\+/, '')}` : undefined, attr(telephone, 'AreaCityCode'), number].filter(Boolean).join(' ');
}

function personName(node: XmlNode | undefined): string {
	return [...children(node, 'GivenName'), ...children(node, 'MiddleName'), ...children(node, 'Surname')]
		.map((part) => text(part))
		.filter((part): part is string => part !== undefined)
		.join(' ');
}

/** The first card anywhere in the reservation (Guarantee, DepositPayments, a profile's PaymentForm). */
function readCard(summary: XmlNode | undefined): ChannelReservation['card'] {
	if (!summary) return undefined;
	const card: NonNullable<ChannelReservation['card']> = {};
	const brand = attr(summary, 'CardCode');
	const last4 = attr(summary, 'Last4');
	if (brand) card.brand = brand;
	if (last4) card.last4 = last4;
	return brand || last4 ? card : undefined;
}

function findElement(value: XmlValue | undefined, name: string): XmlNode | undefined {
	if (value === undefined || typeof value === 'string') return undefined;
	if (Array.isArray(value)) {
		for (const each of value) {
			const found = findElement(each, name);
			if (found) return found;
		}
		return undefined;
	}
	if (value[name] !== undefined) return child(value, name);
	for (const key of Object.keys(value)) {
		if (isLeafKey(key)) continue;
		const found = findElement(value[key], name);
		if (found) return found;
	}
	return undefined;
}

/** Attributes and text ("@_…", "#text", "#cdata") hold no elements. */
function isLeafKey(key: string): boolean {
	const first = key.charCodeAt(0);
	return first === 64 || first === 35;
}

/** Where comments and special requests stand: in each RoomStay, each ResGuest, and ResGlobalInfo itself. */
const NOTE_HOLDERS: Record<string, string | undefined> = { RoomStays: 'RoomStay', ResGuests: 'ResGuest', ResGlobalInfo: undefined };

/**
 * Comments and special requests wherever the channel puts them (ResGlobalInfo, each RoomStay, each
 * ResGuest), in the order they stand in the message; the same text twice is kept once.
 */
function readNotes(node: XmlNode): { comments: string[]; specialRequests: string[] } {
	const notes = { comments: [] as string[], specialRequests: [] as string[] };
	// Only where notes live, in the order those parts stand in the reservation (not a walk of every rate).
	for (const key of Object.keys(node)) {
		if (!(key in NOTE_HOLDERS)) continue;
		const inner = NOTE_HOLDERS[key];
		for (const container of children(node, key)) {
			for (const holder of inner ? children(container, inner) : [container]) {
				for (const holderKey of Object.keys(holder)) {
					if (holderKey === 'Comments') collectNotes(children(holder, holderKey), 'Comment', notes.comments);
					else if (holderKey === 'SpecialRequests') collectNotes(children(holder, holderKey), 'SpecialRequest', notes.specialRequests);
				}
			}
		}
	}
	return notes;
}

function collectNotes(holders: XmlNode[], name: string, into: string[]): void {
	for (const paragraph of holders.flatMap((holder) => children(holder, name))) {
		const content = [text(paragraph), ...children(paragraph, 'Text').map(text), ...children(paragraph, 'ListItem').map(text)]
			.filter((line): line is string => line !== undefined)
			.join('\n');
		if (content && !into.includes(content)) into.push(content);
	}
}

/**
 * OTA_CancelRQ (no XSD in ../shared/ota-xsd; the OTA spec's shape): UniqueID names the reservation,
 * Verification may add the guest, the stay and, Expedia-style, TPA_Extensions/BasicPropertyInfo.
 */
function readCancelRequest(body: XmlNode): ChannelReservation {
	const uniqueId = pickUniqueId(children(body, 'UniqueID'));
	const channelReservationId = attr(uniqueId, 'ID');
	if (!channelReservationId) throw invalidContent('OTA_CancelRQ', 'missing UniqueID ID');
	const verification = child(body, 'Verification');
	const span = child(verification, 'ReservationTimeSpan');
	const start = attr(span, 'Start');
	const end = attr(span, 'End');
	const guest: ChannelReservation['guest'] = { name: personName(child(verification, 'PersonName')) };
	const email = text(child(verification, 'Email'));
	const phone = phoneOf(child(verification, 'TelephoneInfo'));
	if (email) guest.email = email;
	if (phone) guest.phone = phone;
	const reservation: ChannelReservation = {
		channelReservationId,
		version: '',
		action: 'cancel',
		hotelCode:
			attr(descend(verification, 'TPA_Extensions', 'BasicPropertyInfo'), 'HotelCode') ??
			text(children(verification, 'Vendor').find((vendor) => attr(vendor, 'CodeContext') === 'HotelCode')),
		arrival: start ? readDate(start, 'OTA_CancelRQ/Verification/ReservationTimeSpan', 'Start') : undefined,
		departure: end ? readDate(end, 'OTA_CancelRQ/Verification/ReservationTimeSpan', 'End') : undefined,
		roomStays: [],
		guest,
		comments: descendAll(body, 'Reasons', 'Reason')
			.map(text)
			.filter((reason): reason is string => Boolean(reason)),
		specialRequests: [],
	};
	reservation.version = attr(uniqueId, 'Instance') ?? contentVersion(reservation);
	return withoutUndefined(reservation);
}

const earliest = (a: string, b: string) => (b < a ? b : a);
const latest = (a: string, b: string) => (b > a ? b : a);

function contentVersion(reservation: ChannelReservation): string {
	const content = JSON.stringify({ ...reservation, version: undefined });
	return `sha256:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
}

/** Leaves optional fields out instead of carrying `undefined` (cleaner JSON and equality). */
function withoutUndefined<T extends object>(value: T): T {
	const source = value as Record<string, unknown>;
	const result: Record<string, unknown> = {};
	for (const key of Object.keys(source)) if (source[key] !== undefined) result[key] = source[key];
	return result as T;
}
