/**
 * The hotel-side view of what travels in OpenTravel messages. Builders take these, parsers return
 * them; nothing here mirrors the XML shape. Dates are calendar dates `YYYY-MM-DD`; money is an
 * integer number of minor units (cents), never a float.
 */

/** One availability/restriction update for a room type (optionally a rate plan) over an inclusive date range. */
export interface AvailUpdate extends AvailValues {
	roomType: string;
	ratePlan?: string;
	/** First night, `YYYY-MM-DD`. */
	start: string;
	/** Last night, inclusive (Booking.com style): start = end is one night. */
	end: string;
}

/** What an availability update says of each of its nights; absent leaves a value as it is. */
export interface AvailValues {
	/** Rooms left to sell; 0 closes the room type without a stop-sell. */
	bookingLimit?: number;
	/** true closes the product (Master restriction), false re-opens it; absent leaves it as it is. */
	stopSell?: boolean;
	/** Minimum stay in nights; null removes the restriction; absent leaves it as it is. */
	minLos?: number | null;
	maxLos?: number | null;
	closedToArrival?: boolean;
	closedToDeparture?: boolean;
}

/** One price for a room type and rate plan over an inclusive date range. */
export interface RateUpdate {
	roomType: string;
	ratePlan: string;
	start: string;
	end: string;
	/** Per night, in minor units of `decimals` (12345 with decimals 2 is 123.45). */
	amount: number;
	/** ISO 4217, written upper case. */
	currency: string;
	/** Decimal places of `amount`; defaults to the currency's ISO minor unit (2; JPY 0; BHD 3). At most 3 (OTA Money). */
	decimals?: number;
}

export type ReservationAction = 'book' | 'modify' | 'cancel';

/** One night's price of a room, in minor units of the reservation's currency (after tax when the channel gives it). */
export interface NightPrice {
	/** The night, `YYYY-MM-DD`. */
	date: string;
	amount: number;
}

/**
 * How the guest pays, where the message says it: the hotel charges the guest (hotel collect), the
 * channel collected and pays the hotel (channel collect), or the channel pays with a virtual card.
 */
export type PaymentModel = 'hotel_collect' | 'channel_collect' | 'virtual_card';

/** One booked room (a RoomStay, or one unit of it) of a reservation. */
export interface ChannelRoomStay {
	/**
	 * The channel's id of this room within the reservation: RoomStay/@IndexNumber (Booking.com's room
	 * reservation id), else @RoomStayCandidateRPH, else its position ("1", "2", …). A modification
	 * matches rooms by it.
	 */
	index: string;
	/** `cancelled` when the room stay itself says so (RoomStayStatus Cancel/Cancelled). */
	status: 'active' | 'cancelled';
	roomType?: string;
	ratePlan?: string;
	/** First night, `YYYY-MM-DD`. */
	arrival?: string;
	/** The morning the guest leaves (the last night + 1). */
	departure?: string;
	/** Rooms of this type booked by this stay (NumberOfUnits), 1 when not said. */
	units: number;
	adults: number;
	children: number;
	/** Ages of the children where the channel gives them (GuestCount/@Age, once per child counted). */
	childAges: number[];
	/** The room's own guest, where the channel names one (ResGuestRPH link or a per-room name). */
	guestName?: string;
	/** Price of each night, in order, where the message gives nightly rates. */
	nightly: NightPrice[];
	/** This room's total in minor units (RoomStay/Total, else the sum of its nights). */
	amount?: number;
	/** Taxes on this room in minor units, where given. */
	taxes?: number;
	currency?: string;
}

/** A reservation as a channel sends it: new, modified or cancelled. */
export interface ChannelReservation {
	channelReservationId: string;
	/**
	 * Identifies this state of the reservation, to de-duplicate redeliveries. Read, in order, from
	 * UniqueID/@Instance, then @LastModifyDateTime, then @CreateDateTime, then a ResID_Date; when the
	 * message has none of these it is a hash of the reservation's content (see reservationParser.ts).
	 */
	version: string;
	action: ReservationAction;
	hotelCode?: string;
	/** Earliest arrival and latest departure over the rooms (undefined for a bare cancellation). */
	arrival?: string;
	departure?: string;
	/** The rooms, in message order; empty for a bare cancellation that names no room. */
	roomStays: ChannelRoomStay[];
	/** Total of the reservation in minor units of the currency's ISO minor unit (EUR cents, JPY yen). */
	amount?: number;
	currency?: string;
	/** Taxes in minor units, where given. */
	taxes?: number;
	/** The channel's commission in minor units, where given. */
	commission?: number;
	paymentModel?: PaymentModel;
	/** The primary guest (ResGuests, never payment data); the booker's profile only when no guest is named. */
	guest: { name: string; email?: string; phone?: string };
	/** ONLY the brand and last four digits survive from a PaymentCard; nothing else is ever read out. */
	card?: { brand?: string; last4?: string };
	/** As the channel wrote it (xs:dateTime). */
	createdAt?: string;
	/** Guest comments, in message order. */
	comments: string[];
	/** Special requests, in message order. */
	specialRequests: string[];
}

/** A reservation in a channel's message that could not be read: the rest of the message is still taken in. */
export interface ReservationFailure {
	/** 1-based position of the reservation in the message. */
	position: number;
	/** The channel's id, when even that could be read. */
	channelReservationId?: string;
	action?: ReservationAction;
	/** Where in the message, e.g. "HotelReservation[3]/RoomStays/RoomStay[1]". */
	path: string;
	reason: string;
	/** The reservation's XML as read, card data already removed: for the sync log, so hotel IT can see what came. */
	excerpt?: string;
}

/** Every reservation of one message: the readable ones, and the ones that were not. */
export interface ReservationBatch {
	/** The OTA root, e.g. "OTA_HotelResNotifRQ". */
	root: string;
	echoToken?: string;
	reservations: ChannelReservation[];
	failures: ReservationFailure[];
	/**
	 * Where a reservation of this batch stood in the message, and its XML as it came (card data
	 * removed): for the sync log when the store refuses it. Not enumerable: the batch stays plain data.
	 */
	readonly sourceOf?: (reservation: ChannelReservation) => { position: number; excerpt?: string };
}

/** Attributes every OTA message carries on its root element. */
export interface MessageOptions {
	/** Correlates a request and its response; a response should echo the request's token. Default: a random UUID. */
	echoToken?: string;
	/** Default: now. */
	timeStamp?: string | Date;
	/** The OTA message version (xs:decimal). Default "1.0". */
	version?: string;
	target?: 'Test' | 'Production';
}

/** An OTA Error or Warning. `type` and `code` come from the OTA code lists EWT and ERR (e.g. type "3", code "450"). */
export interface OtaIssue {
	message: string;
	code?: string;
	type?: string;
	/** The record the issue is about; we write the channel's reservation id here (Error/@RecordID). */
	recordId?: string;
}

/** Our verdict on one reservation a channel delivered, for an acknowledgement. */
export interface ReservationResult {
	channelReservationId: string;
	ok: boolean;
	/** The hotel's own reservation number; required for a success in a *NotifRS (Expedia only counts those). */
	confirmationNumber?: string;
	error?: string | OtaIssue;
}

/** Success/Errors/Warnings of any OTA response (or of an OTA_NotifReportRQ). */
export interface ParsedAck {
	root: string;
	echoToken?: string;
	ok: boolean;
	errors: OtaIssue[];
	warnings: OtaIssue[];
	/** Reservations the acknowledgement names, with the confirmation number given for each. */
	reservations: Array<{ channelReservationId?: string; confirmationNumber?: string }>;
	/** Set when the answer was a SOAP fault rather than an OTA message. */
	fault?: SoapFault;
}

export interface SoapCredentials {
	username: string;
	password: string;
}

export interface SoapFault {
	code: string;
	message: string;
}

/** A parsed XML element: attributes as "@_Name", child elements by local name (arrays when repeated), text as "#text". */
export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

export interface ParsedOtaMessage {
	/** Local name of the OTA root element, e.g. "OTA_HotelResNotifRQ"; "Fault" for a SOAP fault. */
	root: string;
	echoToken?: string;
	timeStamp?: string;
	/** The root element, card data already redacted (see cardRedaction.ts). */
	body: XmlNode;
	/** Namespace URI of the OTA element ('' for none). */
	namespace: string;
	/** Present when the message came in a SOAP envelope. */
	soap?: { usernameToken?: SoapCredentials; fault?: SoapFault };
}

export interface ParseOptions {
	/** Refuse messages larger than this many bytes (raw, before decoding). Default 2 MB, SiteMinder's limit. */
	maxBytes?: number;
}
