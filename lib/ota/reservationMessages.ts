/**
 * Reservation messages as a CHANNEL sends them: pushed (OTA_HotelResNotifRQ,
 * OTA_HotelResModifyNotifRQ) or pulled (OTA_ReadRQ → OTA_ResRetrieveRS). The hotel side only reads
 * these; we build them for the local test OTA server and for fixtures, strictly schema-valid, which
 * means ResGlobalInfo always ends with the BasicPropertyInfo the schema requires.
 *
 * Layout of one reservation (HotelReservationType, in schema order):
 *   UniqueID Type="14" ID=channelReservationId Instance=version
 *   RoomStays/RoomStay: RoomTypes/RoomType (code, NumberOfUnits=rooms), RoomRates/RoomRate (rate
 *     plan: RoomRate's RatePlanCode allows 64 characters, RatePlan's only 16), GuestCounts
 *     (AQC 10 adults, 8 children), TimeSpan Start/End, BasicPropertyInfo HotelCode
 *   ResGuests/ResGuest/Profiles/ProfileInfo/Profile/Customer: PersonName, Telephone, Email
 *   ResGlobalInfo: Comments, Guarantee (card brand + masked number only), Total, HotelReservationIDs,
 *     BasicPropertyInfo
 */
import {
	AGE_QUALIFYING,
	MAX_HOTEL_CODE,
	MAX_RATE_PLAN,
	MAX_RESERVATION_ID,
	MAX_ROOM_TYPE,
	RES_STATUS,
	UNIQUE_ID_TYPE,
} from './constants';
import { currencyCode, currencyDecimals, formatAmount } from './amounts';
import { invalidInput } from './errors';
import type { ChannelReservation, MessageOptions } from './types';
import { attributeText, code, date, dateTime, integer, optionalCode, text } from './values';
import { otaDocument, type XmlBody } from './xmlWriter';

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

export function buildHotelResNotifRQ(reservations: ChannelReservation[], opts: MessageOptions = {}): string {
	const list = requireReservations(reservations);
	return otaDocument('OTA_HotelResNotifRQ', { HotelReservations: { HotelReservation: list.map(hotelReservation) } }, opts);
}

/** Modifications and cancellations (ResStatus Modify / Cancel), as Booking.com and Expedia deliver them. */
export function buildHotelResModifyNotifRQ(reservations: ChannelReservation[], opts: MessageOptions = {}): string {
	const list = requireReservations(reservations);
	return otaDocument('OTA_HotelResModifyNotifRQ', { HotelResModifies: { HotelResModify: list.map(hotelReservation) } }, opts);
}

/** SiteMinder's answer to OTA_ReadRQ: every undelivered reservation, with ResStatus Book/Modify/Cancel. */
export function buildResRetrieveRS(reservations: ChannelReservation[], opts: MessageOptions = {}): string {
	if (!Array.isArray(reservations)) throw invalidInput('reservations', 'must be a list');
	return otaDocument(
		'OTA_ResRetrieveRS',
		{
			Success: '',
			ReservationsList: reservations.length > 0 ? { HotelReservation: reservations.map(hotelReservation) } : undefined,
		},
		opts,
	);
}

export type ReadSelection = 'Undelivered' | 'PreviouslyDelivered' | 'All';

export interface ReadCriteria {
	selection: ReadSelection;
	/** Optional window, e.g. for SelectionType All. */
	start?: string;
	end?: string;
	dateType?: 'ArrivalDate' | 'DepartureDate' | 'CreateDate' | 'LastUpdateDate';
}

/** The pull request: ReadRequests/HotelReadRequest/SelectionCriteria SelectionType="Undelivered". */
export function buildReadRQ(hotelCode: string, criteria: ReadCriteria = { selection: 'Undelivered' }, opts: MessageOptions = {}): string {
	const selection = criteria.selection;
	if (!['Undelivered', 'PreviouslyDelivered', 'All'].includes(selection)) {
		throw invalidInput('selection', 'must be Undelivered, PreviouslyDelivered or All');
	}
	return otaDocument(
		'OTA_ReadRQ',
		{
			ReadRequests: {
				HotelReadRequest: {
					'@_HotelCode': code(hotelCode, 'hotelCode', MAX_HOTEL_CODE),
					SelectionCriteria: {
						'@_Start': criteria.start === undefined ? undefined : date(criteria.start, 'start'),
						'@_End': criteria.end === undefined ? undefined : date(criteria.end, 'end'),
						'@_DateType': criteria.dateType,
						'@_SelectionType': selection,
					},
				},
			},
		},
		opts,
	);
}

function requireReservations(reservations: ChannelReservation[]): ChannelReservation[] {
	if (!Array.isArray(reservations) || reservations.length === 0) throw invalidInput('reservations', 'must hold at least one reservation');
	return reservations;
}

function hotelReservation(reservation: ChannelReservation, index: number): XmlBody {
	const field = `reservations[${index}]`;
	const id = code(reservation.channelReservationId, `${field}.channelReservationId`, MAX_RESERVATION_ID);
	const status = RES_STATUS[reservation.action];
	if (!status) throw invalidInput(`${field}.action`, 'must be book, modify or cancel');
	const hotelCode = optionalCode(reservation.hotelCode, `${field}.hotelCode`, MAX_HOTEL_CODE);
	return {
		'@_CreateDateTime': reservation.createdAt === undefined ? undefined : dateTime(reservation.createdAt, `${field}.createdAt`),
		'@_ResStatus': status,
		UniqueID: {
			'@_Type': UNIQUE_ID_TYPE.reservation,
			'@_ID': id,
			'@_Instance': code(reservation.version, `${field}.version`, MAX_RESERVATION_ID),
		},
		RoomStays: roomStays(reservation, field, hotelCode),
		ResGuests: resGuests(reservation, field),
		ResGlobalInfo: {
			Comments: reservation.comments === undefined ? undefined : { Comment: { Text: text(reservation.comments, `${field}.comments`) } },
			Guarantee: guarantee(reservation, field),
			Total: total(reservation, field),
			HotelReservationIDs: { HotelReservationID: { '@_ResID_Type': UNIQUE_ID_TYPE.reservation, '@_ResID_Value': id } },
			BasicPropertyInfo: hotelCode === undefined ? '' : { '@_HotelCode': hotelCode },
		},
	};
}

/** One RoomStay for the whole reservation; left out for a bare cancellation that names no stay. */
function roomStays(reservation: ChannelReservation, field: string, hotelCode: string | undefined): XmlBody | undefined {
	const { roomType, ratePlan, arrival, departure } = reservation;
	const rooms = integer(reservation.rooms, `${field}.rooms`, 0, 9999);
	const adults = integer(reservation.adults, `${field}.adults`, 0, 999);
	const children = integer(reservation.children, `${field}.children`, 0, 999);
	if (roomType === undefined && ratePlan === undefined && arrival === undefined && departure === undefined && rooms === 0 && adults + children === 0) {
		return undefined;
	}
	const roomTypeCode = optionalCode(roomType, `${field}.roomType`, MAX_ROOM_TYPE);
	const guestCounts: XmlBody[] = [];
	if (adults > 0) guestCounts.push({ '@_AgeQualifyingCode': AGE_QUALIFYING.adult, '@_Count': adults });
	if (children > 0) guestCounts.push({ '@_AgeQualifyingCode': AGE_QUALIFYING.child, '@_Count': children });
	const start = arrival === undefined ? undefined : date(arrival, `${field}.arrival`);
	const end = departure === undefined ? undefined : date(departure, `${field}.departure`);
	if (start !== undefined && end !== undefined && end <= start) throw invalidInput(`${field}.departure`, `must be after arrival ${start}`);
	return {
		RoomStay: {
			RoomTypes: { RoomType: { '@_RoomTypeCode': roomTypeCode, '@_NumberOfUnits': rooms } },
			RoomRates:
				ratePlan === undefined
					? undefined
					: { RoomRate: { '@_RoomTypeCode': roomTypeCode, '@_RatePlanCode': code(ratePlan, `${field}.ratePlan`, MAX_RATE_PLAN), '@_NumberOfUnits': rooms } },
			GuestCounts: guestCounts.length > 0 ? { GuestCount: guestCounts } : undefined,
			TimeSpan: start === undefined && end === undefined ? undefined : { '@_Start': start, '@_End': end },
			BasicPropertyInfo: hotelCode === undefined ? undefined : { '@_HotelCode': hotelCode },
		},
	};
}

function resGuests(reservation: ChannelReservation, field: string): XmlBody | undefined {
	const guest = reservation.guest ?? { name: '' };
	const name = (guest.name ?? '').trim();
	if (!name && guest.email === undefined && guest.phone === undefined) return undefined;
	let personName: XmlBody | undefined;
	if (name) {
		// The schema requires a Surname: the last word is the surname, the rest given names.
		const split = name.lastIndexOf(' ');
		personName = {
			GivenName: split > 0 ? text(name.slice(0, split), `${field}.guest.name`, 64) : undefined,
			Surname: text(name.slice(split + 1), `${field}.guest.name`, 64),
		};
	}
	return {
		ResGuest: {
			'@_ResGuestRPH': 1,
			'@_PrimaryIndicator': 'true',
			Profiles: {
				ProfileInfo: {
					Profile: {
						'@_ProfileType': '1',
						Customer: {
							PersonName: personName,
							Telephone: guest.phone === undefined ? undefined : { '@_PhoneNumber': attributeText(guest.phone, `${field}.guest.phone`, 32) },
							Email: guest.email === undefined ? undefined : text(guest.email, `${field}.guest.email`, 128),
						},
					},
				},
			},
		},
	};
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
	const decimals = currencyDecimals(currency);
	return {
		'@_AmountAfterTax': reservation.amount === undefined ? undefined : formatAmount(integer(reservation.amount, `${field}.amount`, 0), decimals),
		'@_CurrencyCode': currency,
		'@_DecimalPlaces': decimals,
	};
}
