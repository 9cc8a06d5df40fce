import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Google Calendar as a service account (no user has to sign in; suits a server). The Hotel
 * Calendar node signs a JWT with the private key and exchanges it for an access token at the
 * token URL (lib/calendar/serviceAccount.ts). Share the hotel calendar with the service account's
 * e-mail ("Make changes to events"), or use domain-wide delegation to act as a Workspace user.
 * Tested by the Hotel Calendar node: a fresh token, then a read of the calendar below.
 */
export class HotelGoogleServiceAccountApi implements ICredentialType {
	name = 'hotelGoogleServiceAccountApi';

	displayName = 'Hotel Google Service Account API';

	documentationUrl = 'https://developers.google.com/identity/protocols/oauth2/service-account';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Service Account Email',
			name: 'email',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'hotel-calendar@my-project.iam.gserviceaccount.com',
			description: 'The "client_email" of the JSON key file',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n',
			description: 'The "private_key" of the JSON key file (the whole JSON file is accepted too)',
		},
		{
			displayName: 'Delegated User',
			name: 'delegatedUser',
			type: 'string',
			default: '',
			placeholder: 'frontdesk@hotel.example',
			description: 'Optional. With domain-wide delegation in Google Workspace, act as this user (JWT "sub"). Leave empty to act as the service account itself.',
		},
		{
			displayName: 'Calendar ID to Test',
			name: 'calendarId',
			type: 'string',
			default: 'primary',
			description: 'The calendar the credential Test reads, e.g. the hotel calendar shared with the service account (…@group.calendar.google.com)',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: 'https://oauth2.googleapis.com/token',
			description: 'Leave as is for Google. Change only to point at a Google-compatible test server.',
		},
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://www.googleapis.com/calendar/v3',
			description: 'Leave as is for Google. Change only to point at a Google-compatible test server.',
		},
	];
}
