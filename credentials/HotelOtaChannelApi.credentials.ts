import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * One OTA channel connection: which kind of channel it is (its profile: envelope, paths, limits),
 * where it is, the hotel's code there, and how we authenticate (HTTP Basic for OTA XML, a
 * WS-Security UsernameToken for SOAP channel managers). The webhook secret checks reservation
 * notifications the channel pushes to the OTA Webhook Trigger.
 */
export class HotelOtaChannelApi implements ICredentialType {
	name = 'hotelOtaChannelApi';

	displayName = 'Hotel OTA Channel API';

	documentationUrl = 'https://opentravel.org/';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Channel Profile',
			name: 'profile',
			type: 'options',
			options: [
				{ name: 'Booking.com-Style (OTA XML, Pull with GET)', value: 'booking' },
				{ name: 'SiteMinder-Style Channel Manager (SOAP, WS-Security)', value: 'siteminder' },
				{ name: 'Expedia-Style (Reservations Pushed in SOAP)', value: 'expedia' },
				{ name: 'Generic OpenTravel', value: 'generic' },
			],
			default: 'booking',
		},
		{
			displayName: 'Channel Name',
			name: 'channel',
			type: 'string',
			default: 'booking',
			required: true,
			description: 'The name mappings, push progress and the sync log are kept under; one per connected channel',
		},
		{ displayName: 'Endpoint URL', name: 'baseUrl', type: 'string', default: '', required: true, placeholder: 'https://supply-xml.example-channel.com/hotels/ota' },
		{ displayName: 'Hotel Code', name: 'hotelCode', type: 'string', default: '', required: true, description: "The hotel's ID at this channel", hint: "From the channel's extranet or connectivity onboarding; it names the hotel in every message" },
		{ displayName: 'Username', name: 'username', type: 'string', default: '' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Shared secret for the HMAC-SHA256 signature (X-OTA-Signature) of reservations the channel pushes; empty: the channel authenticates with the username and password instead',
		},
		{
			displayName: 'Attempts per Message',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 4,
			description: 'Tries per message, the first included, with exponential backoff and jitter between them',
		},
		{
			displayName: 'Failures Before Pausing',
			name: 'breakerThreshold',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 5,
			description: 'Messages in a row that failed (after their attempts) before calls to this channel pause (circuit breaker)',
		},
		{
			displayName: 'Pause (Seconds)',
			name: 'pauseSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 3600 },
			default: 30,
			description: 'How long calls pause before one trial call is let through; its outcome ends the pause or starts another',
		},
	];
}
