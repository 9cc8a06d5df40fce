/**
 * What differs between channels, as data: how messages travel (plain XML or SOAP with
 * WS-Security), where each message goes, and the channel's limits. The push and pull code reads
 * the profile and never tests "is this Booking.com?". Figures are from the channels' public
 * documentation (see the guide, §6).
 */
export type ProfileId = 'booking' | 'siteminder' | 'expedia' | 'generic';

export interface ChannelLimits {
	/** Largest message the channel accepts. */
	maxMessageBytes: number;
	/** Updates (date ranges) per message. */
	maxUpdatesPerMessage: number;
	/** Rate ranges may not span more than one calendar month per request. */
	ratesOneMonthPerRequest: boolean;
	/** The channel refuses to be polled more often than this. */
	minPollIntervalSeconds: number;
	/** How far ahead the channel takes inventory and rates. */
	daysAhead: number;
}

export interface ChannelProfile {
	id: ProfileId;
	name: string;
	envelope: 'xml' | 'soap';
	/** How reservations arrive: pulled on a schedule, or pushed to our webhook (the OTA Webhook Trigger). */
	reservations: 'pull-get' | 'pull-readrq' | 'push';
	/** false when the channel takes availability and rates in a format of its own, not OpenTravel (Expedia). */
	otaAriPush: boolean;
	/**
	 * HotelReservationID types in our answers: the channel's own id (Expedia: 8) besides UniqueID,
	 * and our confirmation number (10 by default; Expedia counts only 3).
	 */
	idTypes?: { channel?: string; confirmation: string };
	/** Paths below the endpoint's base URL. */
	paths: {
		availNotif: string;
		rateNotif: string;
		availQuery: string;
		/** Booking.com-style pull: GET new and modified reservations, POST the RS to acknowledge. */
		pullNew?: string;
		pullModified?: string;
		/** SiteMinder-style pull: OTA_ReadRQ, acknowledged with OTA_NotifReportRQ. */
		read?: string;
		notifReport?: string;
	};
	limits: ChannelLimits;
}

export const PROFILES: Record<ProfileId, ChannelProfile> = {
	booking: {
		id: 'booking',
		name: 'Booking.com-style (OTA XML, pull with GET)',
		envelope: 'xml',
		reservations: 'pull-get',
		otaAriPush: true,
		paths: {
			availNotif: '/OTA_HotelAvailNotif',
			rateNotif: '/OTA_HotelRateAmountNotif',
			availQuery: '/OTA_HotelAvail',
			pullNew: '/OTA_HotelResNotif',
			pullModified: '/OTA_HotelResModifyNotif',
		},
		limits: { maxMessageBytes: 1_000_000, maxUpdatesPerMessage: 1_000, ratesOneMonthPerRequest: true, minPollIntervalSeconds: 20, daysAhead: 730 },
	},
	siteminder: {
		id: 'siteminder',
		name: 'SiteMinder-style channel manager (OTA over SOAP, WS-Security)',
		envelope: 'soap',
		reservations: 'pull-readrq',
		otaAriPush: true,
		paths: { availNotif: '/', rateNotif: '/', availQuery: '/', read: '/', notifReport: '/' },
		limits: { maxMessageBytes: 2_000_000, maxUpdatesPerMessage: 5_000, ratesOneMonthPerRequest: false, minPollIntervalSeconds: 120, daysAhead: 730 },
	},
	expedia: {
		id: 'expedia',
		name: 'Expedia-style (reservations pushed in SOAP)',
		envelope: 'soap',
		reservations: 'push',
		// Expedia's availability and rates API (AR) and its booking retrieval are its own XML, not OpenTravel.
		otaAriPush: false,
		idTypes: { channel: '8', confirmation: '3' },
		paths: { availNotif: '/', rateNotif: '/', availQuery: '/' },
		limits: { maxMessageBytes: 2_000_000, maxUpdatesPerMessage: 5_000, ratesOneMonthPerRequest: false, minPollIntervalSeconds: 60, daysAhead: 730 },
	},
	generic: {
		id: 'generic',
		name: 'Generic OpenTravel (configurable endpoints)',
		envelope: 'xml',
		reservations: 'pull-readrq',
		otaAriPush: true,
		paths: {
			availNotif: '/OTA_HotelAvailNotifRQ',
			rateNotif: '/OTA_HotelRateAmountNotifRQ',
			availQuery: '/OTA_HotelAvailRQ',
			read: '/OTA_ReadRQ',
			notifReport: '/OTA_NotifReportRQ',
		},
		limits: { maxMessageBytes: 1_000_000, maxUpdatesPerMessage: 1_000, ratesOneMonthPerRequest: false, minPollIntervalSeconds: 60, daysAhead: 730 },
	},
};

export function profileOf(id: string): ChannelProfile {
	const profile = PROFILES[id as ProfileId];
	if (!profile) throw new Error(`Unknown channel profile "${id}" (known: ${Object.keys(PROFILES).join(', ')}).`);
	return profile;
}
