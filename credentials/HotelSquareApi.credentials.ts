import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Square for the Hotel Payment node and the Payment Webhook Trigger: the access token for API
 * calls, the location payments are taken at, and for webhooks the subscription's signature key and
 * its notification URL (Square signs the URL together with the body, so it must be the URL exactly
 * as registered in Square's dashboard). A base URL lets a Square-compatible test server stand in.
 */
export class HotelSquareApi implements ICredentialType {
	name = 'hotelSquareApi';

	displayName = 'Hotel Square API';

	documentationUrl = 'https://developer.squareup.com/docs/build-basics/access-tokens';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'EAAA…',
			description: "A production or sandbox access token with PAYMENTS_READ and PAYMENTS_WRITE (Square's Developer Console → Credentials)",
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'Sandbox', value: 'sandbox' },
				{ name: 'Custom Base URL', value: 'custom', description: 'A Square-compatible test server' },
			],
			default: 'production',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4300',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Location ID',
			name: 'locationId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'L88917AVBK2S5',
			description: 'The Square location payments are taken at (Square Dashboard → Locations)',
		},
		{
			displayName: 'Webhook Signature Key',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The signature key of the webhook subscription for the Payment Webhook Trigger (Developer Console → Webhooks → Subscriptions → Show)",
		},
		{
			displayName: 'Webhook Notification URL',
			name: 'webhookNotificationUrl',
			type: 'string',
			default: '',
			placeholder: 'https://n8n.hotel.example/webhook/square-payments',
			description: "The subscription's notification URL, character for character: Square signs it together with each delivery's body",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}', 'Square-Version': '2025-07-16' } },
	};

	// Reading the configured location: harmless, and it proves the token and the location id together.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.environment === "custom" ? $credentials.baseUrl : $credentials.environment === "sandbox" ? "https://connect.squareupsandbox.com" : "https://connect.squareup.com"}}',
			url: '=/v2/locations/{{encodeURIComponent($credentials.locationId)}}',
			method: 'GET',
		},
	};
}
