/**
 * The channel's side of reservations: the messages a CHANNEL sends, pushed (OTA_HotelResNotifRQ,
 * OTA_HotelResModifyNotifRQ) or pulled (OTA_ReadRQ → OTA_ResRetrieveRS), and its reading of our
 * OTA_ReadRQ. The hotel side only reads these (lib/ota/reservationParser.ts) and builds the ReadRQ
 * (lib/ota/readRequest.ts); the local OTA peer, the tests and the bench build them, strictly
 * schema-valid (test/unit/otaMessages.test.ts checks them against the XSD), which means
 * ResGlobalInfo always ends with the BasicPropertyInfo the schema requires.
 *
 * Layout of one reservation (HotelReservationType, in schema order):
 *   UniqueID Type="14" ID=channelReservationId Instance=version
 *   RoomStays/RoomStay per room (IndexNumber, RoomStayStatus Cancelled for a cancelled room):
 *     RoomTypes/RoomType (code, NumberOfUnits), RoomRates/RoomRate (rate plan: RoomRate's
 *     RatePlanCode allows 64 characters, RatePlan's only 16) with one Rate per night,
 *     GuestCounts (AQC 10 adults, 8 children with Age), TimeSpan (unless the channel dates by
 *     rates only), Total with Taxes, BasicPropertyInfo, ResGuestRPHs (the room's own guest)
 *   ResGuests/ResGuest: 1 = the primary guest (PersonName, Telephone, Email), then room guests
 *   ResGlobalInfo: Comments, SpecialRequests, Guarantee (card brand + masked number only), Total,
 *     HotelReservationIDs, BasicPropertyInfo
 */
import { currencyCode, currencyDecimals, formatAmount } from '../../../../lib/ota/amounts';
import { AGE_QUALIFYING, MAX_HOTEL_CODE, MAX_RATE_PLAN, MAX_RESERVATION_ID, MAX_ROOM_TYPE, UNIQUE_ID_TYPE } from '../../../../lib/ota/constants';
import { addDays } from '../../../../lib/ota/contentReaders';
import { invalidInput } from '../../../../lib/ota/errors';
import { parseExpected } from '../../../../lib/ota/otaDocument';
import type { ChannelReservation, ChannelRoomStay, MessageOptions, NightPrice, ParseOptions } from '../../../../lib/ota/types';
import { attributeText, code, date, dateTime, integer, optionalCode, otaCode, text } from '../../../../lib/ota/values';
import { attr, child, descend } from '../../../../lib/ota/xmlTree';
import { otaDocument, type XmlBody } from '../../../../lib/ota/xmlWriter';

/** OTA_HotelResNotif and friends carry ResStatus; these are the values a channel writes. */
const RES_STATUS = { book: 'Book', modify: 'Modify', cancel: 'Cancel' } as const;

/** Card brands by name, for a brand that is not already a two-letter OTA card code. */
const CARD_CODES: Record<string, string> = {
	visa: 'VI',
	mastercard: 'MC',
	'master card': 'MC',
	amex: 'AX',
	'american express': 'AX',
	americanexpress: 'AX',
	discover: 'DS',
	diners: 'DN',
	'diners club': 'DN',
	dinersclub: 'DN',
	jcb: 'JC',
	unionpay: 'UP',
	maestro: 'MA',
	'carte bleue': 'CB',
	cartebleue: 'CB',
};

/**
 * How a channel dates a room stay: a TimeSpan (SiteMinder, Expedia), or only through the nightly
 * rates (Booking.com). A room without nightly prices always gets a TimeSpan.
 */
export interface ReservationMessageOptions extends MessageOptions {
	stayDates?: 'timeSpan' | 'ratesOnly';
	/** HotelReservationID/@ResID_Type of the channel's id: 14 (Reservation) by default; Expedia writes 8. */
	channelIdType?: string;
}

export function buildHotelResNotifRQ(reservations: ChannelReservation[], opts: ReservationMessageOptions = {}): string {
	const list = requireReservations(reservations);
	return otaDocument('OTA_HotelResNotifRQ', { HotelReservations: { HotelReservation: list.map(toHotelReservation(opts)) } }, opts);
}

/** Modifications and cancellations (ResStatus Modify / Cancel), as Booking.com and Expedia deliver them. */
export function buildHotelResModifyNotifRQ(reservations: ChannelReservation[], opts: ReservationMessageOptions = {}): string {
	const list = requireReservations(reservations);
	return otaDocument('OTA_HotelResModifyNotifRQ', { HotelResModifies: { HotelResModify: list.map(toHotelReservation(opts)) } }, opts);
}

/** SiteMinder's answer to OTA_ReadRQ: every undelivered reservation, with ResStatus Book/Modify/Cancel. */
export function buildResRetrieveRS(reservations: ChannelReservation[], opts: ReservationMessageOptions = {}): string {
	if (!Array.isArray(reservations)) throw invalidInput('reservations', 'must be a list');
	return otaDocument(
		'OTA_ResRetrieveRS',
		{
			Success: '',
			ReservationsList: reservations.length > 0 ? { HotelReservation: reservations.map(toHotelReservation(opts)) } : undefined,
		},
		opts,
	);
}

function requireReservations(reservations: ChannelReservation[]): ChannelReservation[] {
	if (!Array.isArray(reservations) || reservations.length === 0) throw invalidInput('reservations', 'must hold at least one reservation');
	return reservations;
}

function toHotelReservation(opts: ReservationMessageOptions) {
	return (reservation: ChannelReservation, index: number) => hotelReservation(reservation, index, opts);
}

function hotelReservation(reservation: ChannelReservation, index: number, opts: ReservationMessageOptions): XmlBody {
	const field = `reservations[${index}]`;
	const id = code(reservation.channelReservationId, `${field}.channelReservationId`, MAX_RESERVATION_ID);
	const status = RES_STATUS[reservation.action];
	if (!status) throw invalidInput(`${field}.action`, 'must be book, modify or cancel');
	const hotelCode = optionalCode(reservation.hotelCode, `${field}.hotelCode`, MAX_HOTEL_CODE);
	const rooms = reservation.roomStays ?? [];
	if (!Array.isArray(rooms)) throw invalidInput(`${field}.roomStays`, 'must be a list');
	// ResGuest 1 is the primary guest; each room's own guest follows, linked by its RPH.
	const roomGuests = rooms.map((room, i) => (room.guestName ? { rph: i + 2, name: room.guestName, field: `${field}.roomStays[${i}].guestName` } : undefined));
	return {
		'@_CreateDateTime': reservation.createdAt === undefined ? undefined : dateTime(reservation.createdAt, `${field}.createdAt`),
		'@_ResStatus': status,
		UniqueID: {
			'@_Type': UNIQUE_ID_TYPE.reservation,
			'@_ID': id,
			'@_Instance': code(reservation.version, `${field}.version`, MAX_RESERVATION_ID),
		},
		RoomStays: rooms.length === 0 ? undefined : { RoomStay: rooms.map((room, i) => roomStay(room, `${field}.roomStays[${i}]`, hotelCode, roomGuests[i]?.rph, opts)) },
		ResGuests: resGuests(reservation, roomGuests, field),
		ResGlobalInfo: {
			Comments: notes(reservation.comments, 'Comment', `${field}.comments`),
			SpecialRequests: notes(reservation.specialRequests, 'SpecialRequest', `${field}.specialRequests`),
			Guarantee: guarantee(reservation, field),
			Total: total(reservation, field),
			HotelReservationIDs: { HotelReservationID: { '@_ResID_Type': otaCode(opts.channelIdType ?? UNIQUE_ID_TYPE.reservation, 'channelIdType'), '@_ResID_Value': id } },
			BasicPropertyInfo: hotelCode === undefined ? '' : { '@_HotelCode': hotelCode },
		},
	};
}

/** One RoomStay: room type and units, rate plan with the nightly rates, guests, dates, total, status. */
function roomStay(room: ChannelRoomStay, field: string, hotelCode: string | undefined, guestRph: number | undefined, opts: ReservationMessageOptions): XmlBody {
	if (!room || typeof room !== 'object') throw invalidInput(field, 'must be a room stay');
	const roomTypeCode = optionalCode(room.roomType, `${field}.roomType`, MAX_ROOM_TYPE);
	const units = integer(room.units, `${field}.units`, 1, 999);
	const adults = integer(room.adults, `${field}.adults`, 0, 999);
	const children = integer(room.children, `${field}.children`, 0, 999);
	const ages = room.childAges ?? [];
	if (!Array.isArray(ages) || ages.length > children) throw invalidInput(`${field}.childAges`, 'must list at most one age per child');
	const guestCounts: XmlBody[] = [];
	if (adults > 0) guestCounts.push({ '@_AgeQualifyingCode': AGE_QUALIFYING.adult, '@_Count': adults });
	ages.forEach((age, i) => guestCounts.push({ '@_AgeQualifyingCode': AGE_QUALIFYING.child, '@_Age': integer(age, `${field}.childAges[${i}]`, 0, 17), '@_Count': 1 }));
	if (children > ages.length) guestCounts.push({ '@_AgeQualifyingCode': AGE_QUALIFYING.child, '@_Count': children - ages.length });
	const start = room.arrival === undefined ? undefined : date(room.arrival, `${field}.arrival`);
	const end = room.departure === undefined ? undefined : date(room.departure, `${field}.departure`);
	if (start !== undefined && end !== undefined && end <= start) throw invalidInput(`${field}.departure`, `must be after arrival ${start}`);
	const nightly = room.nightly ?? [];
	const currency = room.currency === undefined ? undefined : currencyCode(room.currency, `${field}.currency`);
	if (nightly.length > 0 && currency === undefined) throw invalidInput(`${field}.currency`, 'is required with nightly prices');
	const ratePlan = room.ratePlan === undefined ? undefined : code(room.ratePlan, `${field}.ratePlan`, MAX_RATE_PLAN);
	const timeSpan = opts.stayDates !== 'ratesOnly' || nightly.length === 0;
	return {
		'@_RoomStayStatus': room.status === 'cancelled' ? 'Cancelled' : undefined,
		'@_IndexNumber': indexNumber(room.index, `${field}.index`),
		RoomTypes: { RoomType: { '@_RoomTypeCode': roomTypeCode, '@_NumberOfUnits': units } },
		RoomRates:
			ratePlan === undefined && nightly.length === 0
				? undefined
				: {
						RoomRate: {
							'@_RoomTypeCode': roomTypeCode,
							'@_RatePlanCode': ratePlan,
							'@_NumberOfUnits': units,
							Rates: nightly.length === 0 ? undefined : { Rate: nightly.map((night, i) => nightRate(night, currency!, `${field}.nightly[${i}]`)) },
						},
					},
		GuestCounts: guestCounts.length > 0 ? { GuestCount: guestCounts } : undefined,
		TimeSpan: !timeSpan || (start === undefined && end === undefined) ? undefined : { '@_Start': start, '@_End': end },
		Total: room.amount === undefined ? undefined : money(room.amount, room.taxes, currency, `${field}`),
		BasicPropertyInfo: hotelCode === undefined ? undefined : { '@_HotelCode': hotelCode },
		// 2015B: a list of RPHs as text (older versions: ResGuestRPH elements, which the parser also reads).
		ResGuestRPHs: guestRph === undefined ? undefined : String(guestRph),
	};
}

/** IndexNumber is a Numeric1to999 in 2015B: a room's index must be one to be written. */
function indexNumber(value: unknown, field: string): number {
	if (typeof value !== 'string' || !/^[1-9]\d{0,2}$/.test(value)) throw invalidInput(field, 'must be a number from 1 to 999 (RoomStay/@IndexNumber)');
	return Number(value);
}

/** One night as Booking.com writes it: EffectiveDate, ExpireDate the next morning, Base per night. */
function nightRate(night: NightPrice, currency: string, field: string): XmlBody {
	const day = date(night?.date, `${field}.date`);
	const decimals = currencyDecimals(currency);
	return {
		'@_EffectiveDate': day,
		'@_ExpireDate': addDays(day, 1),
		'@_RateTimeUnit': 'Day',
		'@_UnitMultiplier': 1,
		Base: { '@_AmountAfterTax': formatAmount(integer(night.amount, `${field}.amount`, 0), decimals), '@_CurrencyCode': currency, '@_DecimalPlaces': decimals },
	};
}

function money(amount: number, taxes: number | undefined, currency: string | undefined, field: string): XmlBody {
	if (currency === undefined) throw invalidInput(`${field}.currency`, 'is required with an amount');
	const decimals = currencyDecimals(currency);
	return {
		'@_AmountAfterTax': formatAmount(integer(amount, `${field}.amount`, 0), decimals),
		'@_CurrencyCode': currency,
		'@_DecimalPlaces': decimals,
		Taxes:
			taxes === undefined
				? undefined
				: { '@_Amount': formatAmount(integer(taxes, `${field}.taxes`, 0), decimals), '@_CurrencyCode': currency, '@_DecimalPlaces': decimals },
	};
}

function notes(lines: string[] | undefined, element: 'Comment' | 'SpecialRequest', field: string): XmlBody | undefined {
	if (lines === undefined || lines.length === 0) return undefined;
	if (!Array.isArray(lines)) throw invalidInput(field, 'must be a list of texts');
	return { [element]: lines.map((line, i) => ({ Text: text(line, `${field}[${i}]`) })) };
}

function resGuests(reservation: ChannelReservation, roomGuests: Array<{ rph: number; name: string; field: string } | undefined>, field: string): XmlBody | undefined {
	const guest = reservation.guest ?? { name: '' };
	const name = (guest.name ?? '').trim();
	const others = roomGuests.filter((each): each is { rph: number; name: string; field: string } => each !== undefined);
	if (!name && guest.email === undefined && guest.phone === undefined && others.length === 0) return undefined;
	const primary = {
		'@_ResGuestRPH': 1,
		'@_PrimaryIndicator': 'true',
		Profiles: profile(name, `${field}.guest.name`, {
			Telephone: guest.phone === undefined ? undefined : { '@_PhoneNumber': attributeText(guest.phone, `${field}.guest.phone`, 32) },
			Email: guest.email === undefined ? undefined : text(guest.email, `${field}.guest.email`, 128),
		}),
	};
	return { ResGuest: [primary, ...others.map((each) => ({ '@_ResGuestRPH': each.rph, Profiles: profile(each.name.trim(), each.field, {}) }))] };
}

/** A guest profile; the schema requires a Surname: the last word is the surname, the rest given names. */
function profile(name: string, field: string, contact: XmlBody): XmlBody {
	let personName: XmlBody | undefined;
	if (name) {
		const split = name.lastIndexOf(' ');
		personName = {
			GivenName: split > 0 ? text(name.slice(0, split), field, 64) : undefined,
			Surname: text(name.slice(split + 1), field, 64),
		};
	}
	return { ProfileInfo: { Profile: { '@_ProfileType': '1', Customer: { PersonName: personName, ...contact } } } };
}

/** Only a brand and a masked number: the schema allows CardNumber with just a Mask. */
function guarantee(reservation: ChannelReservation, field: string): XmlBody | undefined {
	const card = reservation.card;
	if (!card || (card.brand === undefined && card.last4 === undefined)) return undefined;
	if (card.last4 !== undefined && !/^\d{4}$/.test(card.last4)) throw invalidInput(`${field}.card.last4`, 'must be exactly four digits');
	return {
		'@_GuaranteeType': 'CC/DC/Voucher',
		GuaranteesAccepted: {
			GuaranteeAccepted: {
				PaymentCard: {
					'@_CardCode': cardCode(card.brand),
					CardNumber: card.last4 === undefined ? undefined : { '@_Mask': `xxxxxxxxxxxx${card.last4}` },
				},
			},
		},
	};
}

/** The OTA card code (VI, MC, AX…) for a brand; an unknown brand is left out rather than invented. */
function cardCode(brand: string | undefined): string | undefined {
	if (brand === undefined) return undefined;
	if (/^[A-Z]{1,2}$/.test(brand)) return brand;
	return CARD_CODES[brand.trim().toLowerCase()];
}

function total(reservation: ChannelReservation, field: string): XmlBody | undefined {
	if (reservation.amount === undefined && reservation.currency === undefined) return undefined;
	if (reservation.currency === undefined) throw invalidInput(`${field}.currency`, 'is required with an amount');
	const currency = currencyCode(reservation.currency, `${field}.currency`);
	if (reservation.amount === undefined) return { '@_CurrencyCode': currency, '@_DecimalPlaces': currencyDecimals(currency) };
	return money(reservation.amount, reservation.taxes, currency, field);
}

// ---------------------------------------------------------------------------------------------

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
	const read: ParsedReadRQ = {
		echoToken: message.echoToken,
		hotelCode: attr(request, 'HotelCode'),
		selection: attr(criteria, 'SelectionType'),
		start: attr(criteria, 'Start'),
		end: attr(criteria, 'End'),
	};
	// Optional fields are left out rather than carried as undefined (equality in tests).
	return Object.fromEntries(Object.entries(read).filter(([, value]) => value !== undefined)) as ParsedReadRQ;
}
