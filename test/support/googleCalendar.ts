/**
 * What the calendar tests against the local Google peer share: a clean slate before each test, and
 * the stay facts of the reservations they sync.
 */
import { clearTokenCache } from '../../lib/calendar/serviceAccount';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import type { GooglePeer } from '../peers/googlePeer';

/** Fresh partner policies, no cached service-account token, and a peer without events, requests or faults. */
export function resetCalendarTestState(peer: GooglePeer): void {
	resetPartnerPolicies();
	clearTokenCache();
	peer.reset();
}

/** A booked double room for two adults, from booking.com (its reservation 4711): spread after id, guest and dates. */
export const BOOKED_DOUBLE_FROM_BOOKING = {
	roomType: 'DBL',
	rooms: 1,
	adults: 2,
	children: 0,
	status: 'booked',
	version: 1,
	channel: 'booking',
	channelReservationId: '4711',
};
