import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * How the Booking Engine Trigger checks the JWT bearer token of each API request: the allowed
 * algorithm and its key (a shared secret for HS*, a public key for RS256 or ES256), the issuer and
 * audience expected, and the scope a caller needs. The tokens are issued by the hotel's identity
 * provider or booking engine, not by n8n.
 */
export class HotelBookingEngineApi implements ICredentialType {
	name = 'hotelBookingEngineApi';

	displayName = 'Hotel Booking Engine API';

	documentationUrl = 'https://datatracker.ietf.org/doc/html/rfc7519';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Algorithm',
			name: 'algorithm',
			type: 'options',
			options: [
				{ name: 'HS256 (Shared Secret)', value: 'HS256' },
				{ name: 'HS512 (Shared Secret)', value: 'HS512' },
				{ name: 'RS256 (RSA Public Key)', value: 'RS256' },
				{ name: 'ES256 (EC Public Key)', value: 'ES256' },
			],
			default: 'HS256',
			description: 'The only algorithm accepted; tokens signed otherwise (or unsigned) are refused',
		},
		{
			displayName: 'Shared Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'At least 32 characters for HS256, 64 for HS512',
			displayOptions: { show: { algorithm: ['HS256', 'HS512'] } },
		},
		{
			displayName: 'Public Key (PEM)',
			name: 'publicKeyPem',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY-----',
			displayOptions: { show: { algorithm: ['RS256', 'ES256'] } },
		},
		{ displayName: 'Issuer', name: 'issuer', type: 'string', default: '', description: 'Expected "iss" claim; empty: not checked' },
		{ displayName: 'Audience', name: 'audience', type: 'string', default: '', description: 'Expected "aud" claim; empty: not checked' },
		{
			displayName: 'Required Scope',
			name: 'requiredScope',
			type: 'string',
			default: 'reservations',
			description: 'A caller without this scope (in "scope", "scp" or "scopes") gets 403',
		},
	];
}
