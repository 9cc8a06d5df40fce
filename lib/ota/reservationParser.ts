/**
 * Reservations from channels, read leniently: real channels leave out elements the schema requires
 * (Booking.com sends no BasicPropertyInfo) and put the same facts in different places, so each fact
 * is looked for where channels are known to put it. What cannot be read safely (a stay without
 * dates) is an OtaMessageError naming the element, e.g.
 * "HotelReservation[2]/RoomStays/RoomStay[1]: missing TimeSpan Start".
 *
 * Messages: OTA_HotelResNotifRQ (new, or per ResStatus), OTA_HotelResModifyNotifRQ (modify; cancel
 * when ResStatus says Cancel), OTA_ResRetrieveRS (per ResStatus: Book/Modify/Cancel), OTA_CancelRQ.
 *
 * Version (to de-duplicate redeliveries): UniqueID/@Instance, else the reservation's
 * @LastModifyDateTime, else @CreateDateTime, else a HotelReservationID/@ResID_Date; when the message
 * carries none of these, "sha256:" + a hash of the parsed reservation, so an identical redelivery
 * gets the same version and any change a new one.
 *
 * Card data has already been reduced to brand + last four digits by the XML reader.
 */
import { createHash } from 'node:crypto';
import { currencyDecimals, parseAmount, parseDecimalPlaces } from './amounts';
import { UNIQUE_ID_TYPE } from './constants';
import { addDays, indexed, readCount, readDate } from './contentReaders';
import { invalidContent, OtaMessageError } from './errors';
import { parseExpected } from './otaDocument';
import type { ChannelReservation, ParseOptions, ReservationAction, XmlNode, XmlValue } from './types';
import { attr, child, children, descend, descendAll, text } from './xmlTree';

export const RESERVATION_MESSAGES = ['OTA_HotelResNotifRQ', 'OTA_HotelResModifyNotifRQ', 'OTA_ResRetrieveRS', 'OTA_CancelRQ'] as const;

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

export function parseReservations(xml: string | Uint8Array, opts?: ParseOptions): ChannelReservation[] {
	const message = parseExpected(xml, RESERVATION_MESSAGES, opts);
	const body = message.body;
	const rootStatus = attr(body, 'ResStatus');
	switch (message.root) {
		case 'OTA_HotelResNotifRQ':
			return descendAll(body, 'HotelReservations', 'HotelReservation').map((node, index) =>
				readReservation(node, indexed('HotelReservation', index), statusAction(attr(node, 'ResStatus') ?? rootStatus) ?? 'book'),
			);
		case 'OTA_HotelResModifyNotifRQ':
			return descendAll(body, 'HotelResModifies', 'HotelResModify').map((node, index) =>
				readReservation(node, indexed('HotelResModify', index), statusAction(attr(node, 'ResStatus') ?? rootStatus) === 'cancel' ? 'cancel' : 'modify'),
			);
		case 'OTA_ResRetrieveRS': {
			const errors = descendAll(body, 'Errors', 'Error');
			if (errors.length > 0) {
				const first = errors[0];
				throw new OtaMessageError('invalid_content', `the channel answered with errors: ${text(first) ?? attr(first, 'ShortText') ?? attr(first, 'Code') ?? 'unknown error'}`, 'OTA_ResRetrieveRS/Errors');
			}
			return descendAll(body, 'ReservationsList', 'HotelReservation').map((node, index) =>
				readReservation(node, indexed('HotelReservation', index), statusAction(attr(node, 'ResStatus')) ?? 'book'),
			);
		}
		default:
			return [readCancelRequest(body)];
	}
}

function statusAction(status: string | undefined): ReservationAction | undefined {
	return status === undefined ? undefined : ACTIONS[status.toLowerCase()];
}

interface Stay {
	arrival?: string;
	departure?: string;
}

function readReservation(node: XmlNode, path: string, action: ReservationAction): ChannelReservation {
	const uniqueId = pickUniqueId(children(node, 'UniqueID'));
	const globalInfo = child(node, 'ResGlobalInfo');
	const reservationIds = descendAll(globalInfo, 'HotelReservationIDs', 'HotelReservationID');
	const channelReservationId =
		attr(uniqueId, 'ID') ??
		attr(reservationIds.find((id) => attr(id, 'ResID_Type') === UNIQUE_ID_TYPE.reservation) ?? reservationIds[0], 'ResID_Value');
	if (!channelReservationId) throw invalidContent(path, 'missing UniqueID ID');

	const roomStays = descendAll(node, 'RoomStays', 'RoomStay');
	const stay = readStay(roomStays, globalInfo, path, action);
	const first = roomStays[0];
	const roomType =
		attr(descend(first, 'RoomTypes', 'RoomType'), 'RoomTypeCode') ??
		attr(descend(first, 'RoomRates', 'RoomRate'), 'RoomTypeCode') ??
		attr(descend(first, 'RoomTypes', 'RoomType'), 'RoomType');
	const ratePlan = attr(descend(first, 'RatePlans', 'RatePlan'), 'RatePlanCode') ?? attr(descend(first, 'RoomRates', 'RoomRate'), 'RatePlanCode');
	const rooms = roomStays.reduce((sum, roomStay, index) => sum + roomUnits(roomStay, `${path}/RoomStays/${indexed('RoomStay', index)}`), 0);
	const guests = countGuests(roomStays, globalInfo, path);
	const money = readReservationTotal(roomStays, globalInfo, path);
	const hotelCode =
		roomStays.map((roomStay) => attr(child(roomStay, 'BasicPropertyInfo'), 'HotelCode')).find(Boolean) ?? attr(child(globalInfo, 'BasicPropertyInfo'), 'HotelCode');

	const reservation: ChannelReservation = {
		channelReservationId,
		version: '',
		action,
		hotelCode,
		roomType,
		ratePlan,
		arrival: stay.arrival,
		departure: stay.departure,
		rooms,
		adults: guests.adults,
		children: guests.children,
		amount: money?.amount,
		currency: money?.currency,
		guest: readGuest(node, globalInfo),
		card: readCard(node),
		createdAt: attr(node, 'CreateDateTime'),
		comments: readComments(node, roomStays, globalInfo),
	};
	reservation.version =
		attr(uniqueId, 'Instance') ??
		attr(node, 'LastModifyDateTime') ??
		attr(node, 'CreateDateTime') ??
		reservationIds.map((id) => attr(id, 'ResID_Date')).find(Boolean) ??
		contentVersion(reservation);
	return withoutUndefined(reservation);
}

/** The channel's reservation id: UniqueID Type 14 (Reservation) if there is one, else the first. */
function pickUniqueId(ids: XmlNode[]): XmlNode | undefined {
	return ids.find((id) => attr(id, 'Type') === UNIQUE_ID_TYPE.reservation && attr(id, 'ID')) ?? ids.find((id) => attr(id, 'ID'));
}

/** Arrival is the earliest Start over all room stays, departure the latest End (or Start + Duration). */
function readStay(roomStays: XmlNode[], globalInfo: XmlNode | undefined, path: string, action: ReservationAction): Stay {
	let spans: Array<{ span: XmlNode | undefined; path: string }> = roomStays.map((roomStay, index) => ({
		span: child(roomStay, 'TimeSpan'),
		path: `${path}/RoomStays/${indexed('RoomStay', index)}`,
	}));
	// Some channels date the whole reservation in ResGlobalInfo instead of each room stay.
	if (spans.every(({ span }) => !span)) {
		const globalSpan = child(globalInfo, 'TimeSpan');
		spans = [{ span: globalSpan, path: globalSpan ? `${path}/ResGlobalInfo` : (spans[0]?.path ?? path) }];
	}
	const stay: Stay = {};
	for (const { span, path: spanPath } of spans) {
		const startValue = attr(span, 'Start');
		// A cancellation may name the reservation only; a booking or change without dates cannot be sold.
		if (!startValue) {
			if (action === 'cancel') continue;
			throw invalidContent(spanPath, 'missing TimeSpan Start');
		}
		const start = readDate(startValue, `${spanPath}/TimeSpan`, 'Start');
		const endValue = attr(span, 'End');
		const nights = /^P(\d+)[ND]$/.exec(attr(span, 'Duration') ?? '')?.[1];
		let end: string | undefined;
		if (endValue) end = readDate(endValue, `${spanPath}/TimeSpan`, 'End');
		else if (nights) end = addDays(start, Number(nights));
		else if (action !== 'cancel') throw invalidContent(spanPath, 'missing TimeSpan End');
		if (end !== undefined && end <= start) throw invalidContent(`${spanPath}/TimeSpan`, `End ${end} is not after Start ${start}`);
		if (stay.arrival === undefined || start < stay.arrival) stay.arrival = start;
		if (end !== undefined && (stay.departure === undefined || end > stay.departure)) stay.departure = end;
	}
	return stay;
}

function roomUnits(roomStay: XmlNode, path: string): number {
	const units = attr(descend(roomStay, 'RoomTypes', 'RoomType'), 'NumberOfUnits') ?? attr(descend(roomStay, 'RoomRates', 'RoomRate'), 'NumberOfUnits');
	return units === undefined ? 1 : readCount(units, path, 'NumberOfUnits');
}

/** Guest counts of all room stays, else of ResGlobalInfo; a GuestCount without a code counts as adults. */
function countGuests(roomStays: XmlNode[], globalInfo: XmlNode | undefined, path: string): { adults: number; children: number } {
	let counts = roomStays.flatMap((roomStay) => descendAll(roomStay, 'GuestCounts', 'GuestCount'));
	if (counts.length === 0) counts = descendAll(globalInfo, 'GuestCounts', 'GuestCount');
	const result = { adults: 0, children: 0 };
	for (const count of counts) {
		const value = attr(count, 'Count');
		const number = value === undefined ? 1 : readCount(value, `${path}/GuestCounts/GuestCount`, 'Count');
		if (CHILD_AGE_CODES.has(attr(count, 'AgeQualifyingCode') ?? '10')) result.children += number;
		else result.adults += number;
	}
	return result;
}

/** ResGlobalInfo/Total, else the sum of the room stays' totals (in one currency). */
function readReservationTotal(roomStays: XmlNode[], globalInfo: XmlNode | undefined, path: string): { amount?: number; currency?: string } | undefined {
	const globalTotal = child(globalInfo, 'Total');
	if (globalTotal) return readMoney(globalTotal, `${path}/ResGlobalInfo/Total`);
	const totals = roomStays
		.map((roomStay, index) => ({ node: child(roomStay, 'Total'), path: `${path}/RoomStays/${indexed('RoomStay', index)}/Total` }))
		.filter((each): each is { node: XmlNode; path: string } => each.node !== undefined)
		.map((each) => readMoney(each.node, each.path));
	if (totals.length === 0) return undefined;
	const currencies = new Set(totals.map((each) => each.currency));
	if (currencies.size > 1) throw invalidContent(`${path}/RoomStays`, 'room stay totals are in different currencies');
	return {
		amount: totals.some((each) => each.amount === undefined) ? undefined : totals.reduce((sum, each) => sum + (each.amount ?? 0), 0),
		currency: totals[0].currency,
	};
}

/** After tax if given, else before tax; in minor units of the currency's ISO minor unit. */
function readMoney(total: XmlNode, path: string): { amount?: number; currency?: string } {
	const currency = attr(total, 'CurrencyCode')?.toUpperCase();
	const value = attr(total, 'AmountAfterTax') ?? attr(total, 'AmountBeforeTax');
	const stated = parseDecimalPlaces(attr(total, 'DecimalPlaces'), path);
	const target = currency ? currencyDecimals(currency) : stated ?? 2;
	return { amount: value === undefined ? undefined : parseAmount(value, stated, target, path), currency };
}

/** The primary ResGuest's customer, else the first, else ResGlobalInfo's profile. */
function readGuest(node: XmlNode, globalInfo: XmlNode | undefined): ChannelReservation['guest'] {
	const resGuests = descendAll(node, 'ResGuests', 'ResGuest');
	const primary = resGuests.find((guest) => attr(guest, 'PrimaryIndicator') === 'true') ?? resGuests[0];
	const customer =
		descend(primary, 'Profiles', 'ProfileInfo', 'Profile', 'Customer') ?? descend(globalInfo, 'Profiles', 'ProfileInfo', 'Profile', 'Customer');
	return readPerson(child(customer, 'PersonName'), text(child(customer, 'Email')), attr(child(customer, 'Telephone'), 'PhoneNumber'));
}

function readPerson(personName: XmlNode | undefined, email: string | undefined, phone: string | undefined): ChannelReservation['guest'] {
	const parts = [...children(personName, 'GivenName'), ...children(personName, 'MiddleName'), ...children(personName, 'Surname')]
		.map((part) => text(part))
		.filter((part): part is string => part !== undefined);
	const guest: ChannelReservation['guest'] = { name: parts.join(' ') };
	if (email) guest.email = email;
	if (phone) guest.phone = phone;
	return guest;
}

/** The first card anywhere in the reservation (Guarantee, DepositPayments, a profile's PaymentForm). */
function readCard(node: XmlNode): ChannelReservation['card'] {
	const summary = findElement(node, 'PaymentCard');
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
		// Attributes and text ("@_…", "#text", "#cdata") hold no elements.
		const first = key.charCodeAt(0);
		if (first === 64 || first === 35) continue;
		const found = findElement(value[key], name);
		if (found) return found;
	}
	return undefined;
}

/** Comments and special requests from the reservation, its room stays and its guests, one per line. */
function readComments(node: XmlNode, roomStays: XmlNode[], globalInfo: XmlNode | undefined): string | undefined {
	const holders = [globalInfo, ...roomStays, ...descendAll(node, 'ResGuests', 'ResGuest')];
	const lines: string[] = [];
	for (const holder of holders) {
		for (const paragraph of [...descendAll(holder, 'Comments', 'Comment'), ...descendAll(holder, 'SpecialRequests', 'SpecialRequest')]) {
			const content = [text(paragraph), ...children(paragraph, 'Text').map(text), ...children(paragraph, 'ListItem').map(text)]
				.filter((line): line is string => line !== undefined)
				.join('\n');
			if (content && !lines.includes(content)) lines.push(content);
		}
	}
	return lines.length > 0 ? lines.join('\n') : undefined;
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
	const reservation: ChannelReservation = {
		channelReservationId,
		version: '',
		action: 'cancel',
		hotelCode: attr(descend(verification, 'TPA_Extensions', 'BasicPropertyInfo'), 'HotelCode'),
		arrival: start ? readDate(start, 'OTA_CancelRQ/Verification/ReservationTimeSpan', 'Start') : undefined,
		departure: end ? readDate(end, 'OTA_CancelRQ/Verification/ReservationTimeSpan', 'End') : undefined,
		rooms: 0,
		adults: 0,
		children: 0,
		guest: readPerson(child(verification, 'PersonName'), text(child(verification, 'Email')), attr(child(verification, 'TelephoneInfo'), 'PhoneNumber')),
		comments: descendAll(body, 'Reasons', 'Reason').map(text).filter(Boolean).join('\n') || undefined,
	};
	reservation.version = attr(uniqueId, 'Instance') ?? contentVersion(reservation);
	return withoutUndefined(reservation);
}

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

export interface ParsedReadRQ {
	echoToken?: string;
	hotelCode?: string;
	/** SelectionCriteria/@SelectionType, e.g. "Undelivered". */
	selection?: string;
	start?: string;
	end?: string;
}

/** The channel side of the pull: what an OTA_ReadRQ asks for. */
export function parseReadRQ(xml: string | Uint8Array, opts?: ParseOptions): ParsedReadRQ {
	const message = parseExpected(xml, ['OTA_ReadRQ'], opts);
	const request = descend(message.body, 'ReadRequests', 'HotelReadRequest');
	const criteria = child(request, 'SelectionCriteria');
	return withoutUndefined({
		echoToken: message.echoToken,
		hotelCode: attr(request, 'HotelCode'),
		selection: attr(criteria, 'SelectionType'),
		start: attr(criteria, 'Start'),
		end: attr(criteria, 'End'),
	});
}
