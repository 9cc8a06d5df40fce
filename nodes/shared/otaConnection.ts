/** From a Hotel OTA Channel credential to a channel connection (lib/channels). */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { ChannelConnection } from '../../lib/channels/channelClient';
import { profileOf } from '../../lib/channels/profiles';

export function channelConnectionFrom(c: ICredentialDataDecryptedObject): ChannelConnection {
	return {
		channel: String(c.channel || c.profile || 'channel'),
		profile: profileOf(String(c.profile || 'generic')),
		baseUrl: String(c.baseUrl ?? ''),
		hotelCode: String(c.hotelCode ?? ''),
		username: String(c.username ?? ''),
		password: String(c.password ?? ''),
	};
}
