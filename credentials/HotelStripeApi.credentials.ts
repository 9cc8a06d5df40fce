import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Our own Stripe credential (n8n's built-in one cannot be reused by community packages): the secret
 * key for API calls, the webhook signing secret for the Payment Webhook Trigger, and a base URL so
 * a Stripe-compatible test server (the local peer of `npm start`) can stand in for api.stripe.com.
 */
export class HotelStripeApi implements ICredentialType {
	name = 'hotelStripeApi';

	displayName = 'Hotel Stripe API';

	documentationUrl = 'https://docs.stripe.com/keys';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sk_live_… or rk_live_…',
			description: 'A secret or restricted key with access to Payment Intents and Refunds',
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_…',
			description: "The signing secret of the webhook endpoint you created in Stripe's dashboard for the Payment Webhook Trigger",
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.stripe.com',
			description: 'Leave as is for Stripe. Change only to point at a Stripe-compatible test server.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.secretKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/v1/balance', method: 'GET' },
	};
}
