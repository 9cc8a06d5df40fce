/**
 * A channel connection to the local OTA peer as the channel tests use it: the peer's test
 * credentials and a fast retry policy, so a failing channel does not slow the suite down.
 */
import type { ChannelConnection } from '../../lib/channels/channelClient';
import { PROFILES, type ProfileId } from '../../lib/channels/profiles';
import type { OtaPeer } from '../peers/otaPeer';

export const PEER_HOTEL = { hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' };

export function peerConnection(profile: ProfileId, peer: OtaPeer): ChannelConnection {
	return {
		channel: profile,
		profile: PROFILES[profile],
		baseUrl: peer.url,
		...PEER_HOTEL,
		resilience: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
	};
}
