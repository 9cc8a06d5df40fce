/**
 * The channel's answer to an availability query (OTA_HotelAvailRQ), from its view of the hotel:
 * each room type and rate plan it knows for every night of the stay, open or closed, with its
 * restrictions — what a channel answers, and what the hotel's audit reads night by night.
 */
import { nightsOf } from '../../../lib/inventory/dates';
import { indexed, readDate } from '../../../lib/ota/contentReaders';
import { invalidContent } from '../../../lib/ota/errors';
import { parseExpected } from '../../../lib/ota/otaDocument';
import { attr, descend } from '../../../lib/ota/xmlTree';
import type { AvailOffer } from './messages';
import type { ChannelView } from './channelView';

export interface AvailQueryRead {
	hotelCode?: string;
	echoToken?: string;
	arrival: string;
	departure: string;
	roomType?: string;
}

/** The first AvailRequestSegment: our builder writes one, and the peer answers one stay. */
export function readAvailRQ(xml: string): AvailQueryRead {
	const message = parseExpected(xml, ['OTA_HotelAvailRQ'], { maxBytes: Infinity });
	const segmentPath = `AvailRequestSegments/${indexed('AvailRequestSegment', 0)}`;
	const segment = descend(message.body, 'AvailRequestSegments', 'AvailRequestSegment');
	const range = descend(segment, 'StayDateRange');
	const start = attr(range, 'Start');
	const end = attr(range, 'End');
	if (start === undefined || end === undefined) throw invalidContent(`${segmentPath}/StayDateRange`, 'missing Start or End');
	const arrival = readDate(start, `${segmentPath}/StayDateRange`, 'Start');
	const departure = readDate(end, `${segmentPath}/StayDateRange`, 'End');
	if (departure <= arrival) throw invalidContent(`${segmentPath}/StayDateRange`, `End ${departure} is not after Start ${arrival}`);
	return {
		hotelCode: attr(descend(segment, 'HotelSearchCriteria', 'Criterion', 'HotelRef'), 'HotelCode'),
		echoToken: message.echoToken,
		arrival,
		departure,
		roomType: attr(descend(segment, 'RoomStayCandidates', 'RoomStayCandidate'), 'RoomTypeCode'),
	};
}

/**
 * Every room type and rate plan priced on every night of the stay, with its state: closed when a
 * night is stopped or has nothing left, units the tightest night's limit, the price the sum, and
 * the arrival night's restrictions (as a HotelStay). A channel that knows nothing of a night offers
 * nothing for it.
 */
export function offersFor(view: ChannelView, query: AvailQueryRead): AvailOffer[] {
	const nights = nightsOf(query.arrival, query.departure);
	const offers: AvailOffer[] = [];
	for (const room of roomCodes(view)) {
		if (query.roomType !== undefined && room !== query.roomType) continue;
		const statuses = nights.map((night) => view.availability.get(`${room}|${night}`));
		if (statuses.some((status) => status?.bookingLimit === undefined)) continue;
		const units = Math.min(...statuses.map((status) => status!.bookingLimit!));
		const stopped = statuses.some((status) => status?.stopSell === true);
		const arrival = statuses[0]!;
		for (const ratePlan of rateCodes(view, room)) {
			const nightly = nights.map((night) => view.rates.get(`${room}|${ratePlan}|${night}`));
			if (nightly.some((rate) => rate === undefined)) continue;
			const total = nightly.reduce((sum, rate) => sum + (rate?.amount ?? 0), 0);
			offers.push({
				roomType: room,
				ratePlan,
				available: units,
				totalAmount: total,
				currency: nightly[0]?.currency,
				closed: stopped || units === 0,
				restrictions: {
					status: arrival.stopSell ? 'Close' : arrival.closedToArrival ? 'ClosedOnArrival' : 'Open',
					...(arrival.minLos ? { minLos: arrival.minLos } : {}),
					...(arrival.maxLos ? { maxLos: arrival.maxLos } : {}),
				},
			});
		}
	}
	return offers;
}

/** Room codes with room-level availability (`room|night` keys; `room|rate|night` are per rate). */
function roomCodes(view: ChannelView): string[] {
	const codes = [...view.availability.keys()].map((key) => key.split('|')).filter((parts) => parts.length === 2).map(([room]) => room);
	return [...new Set(codes)].sort();
}

function rateCodes(view: ChannelView, room: string): string[] {
	const codes = [...view.rates.keys()].map((key) => key.split('|')).filter(([each]) => each === room).map(([, rate]) => rate);
	return [...new Set(codes)].sort();
}
