import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Google Calendar as a Google user, through n8n's own OAuth2 flow: n8n stores the tokens and
 * refreshes them. Our own type (community packages may not reuse n8n's googleCalendarOAuth2Api),
 * with Google's endpoints and the calendar scope fixed as n8n's Google credentials have them, and
 * an API base URL so a Google-compatible test server can stand in for www.googleapis.com.
 */
export class HotelGoogleCalendarOAuth2Api implements ICredentialType {
	name = 'hotelGoogleCalendarOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Hotel Google Calendar OAuth2 API';

	documentationUrl = 'https://developers.google.com/workspace/calendar/api/auth';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: 'https://accounts.google.com/o/oauth2/v2/auth' },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: 'https://oauth2.googleapis.com/token' },
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'https://www.googleapis.com/auth/calendar' },
		// offline + consent: Google hands out a refresh token, so n8n can renew access on its own.
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: 'access_type=offline&prompt=consent' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://www.googleapis.com/calendar/v3',
			description: 'Leave as is for Google. Change only to point at a Google-compatible test server.',
		},
	];

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.apiBaseUrl}}', url: '/users/me/calendarList', qs: { maxResults: 1 }, method: 'GET' },
	};
}
