/** Namespaces and OpenTravel code-list values shared by the builders and parsers. */

export const OTA_NAMESPACE = 'http://www.opentravel.org/OTA/2003/05';
/** The root's Version attribute (an xs:decimal); channels in the field use 1.0. */
export const OTA_DEFAULT_VERSION = '1.0';

export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const WSSE_NAMESPACE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSSE_PASSWORD_TEXT =
	'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/** OTA code list UIT (Unique ID Type). */
export const UNIQUE_ID_TYPE = {
	/** 10 = Hotel: the hotel's (PMS) own reservation number, i.e. our confirmation number. */
	hotel: '10',
	/** 14 = Reservation: the channel's reservation id. */
	reservation: '14',
	/** 15 = Cancellation: a cancellation number. */
	cancellation: '15',
} as const;

/** OTA code list AQC (Age Qualifying Code). */
export const AGE_QUALIFYING = { adult: '10', child: '8', infant: '7' } as const;

/** OTA code list EWT (Error/Warning Type): 3 = business rule, 12 = processing exception. */
export const ERROR_TYPE = { businessRule: '3', processing: '12' } as const;
/** OTA code list ERR: 450 = unable to process. */
export const DEFAULT_ERROR_CODE = '450';

/** Lengths the 2015B schemas allow (StringLength1toN), in characters. */
export const MAX_HOTEL_CODE = 16; // HotelCode
export const MAX_ROOM_TYPE = 16; // InvTypeCode, RoomTypeCode
export const MAX_RATE_PLAN = 64; // RatePlanCode on StatusApplicationControl and RoomRate (16 on RatePlan!)
export const MAX_RESERVATION_ID = 32; // UniqueID/@ID and @Instance
/** A channel's reservation id we can echo back: HotelReservationID/@ResID_Value (StringLength1to64). */
export const MAX_CHANNEL_RESERVATION_ID = 64;
