import { hotelDetailsCredentialTests, hotelDetailsOf } from '../shared/hotelDetails';
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import type { CalendarClient } from '../../lib/calendar/client';
import { storeCredentialTests } from '../shared/hotelStore';
import { runOperations } from '../shared/runOperations';
import { actions, type CalendarContext } from './actions';
import { calendarClientFor, calendarCredentialTests } from '../shared/calendarConnection';
import { properties } from './description';

/**
 * The hotel's Google Calendar: one event per reservation, created, moved and cancelled with it,
 * from arrival at check-in time to departure at check-out time in the hotel's time zone.
 */
export class HotelCalendar implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hotel Calendar',
		name: 'hotelCalendar',
		icon: { light: 'file:hotelCalendar.svg', dark: 'file:hotelCalendar.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Keep one Google Calendar event per reservation: created, moved and cancelled with the reservation',
		defaults: { name: 'Hotel Calendar' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// Hotel Details (nodes/shared/hotelDetails.ts), when the node takes them from the credential.
			{ name: 'hotelDetailsApi', required: true, displayOptions: { show: { hotelDetails: ['credential'] } }, testedBy: 'hotelDetailsCheck' },
			{ name: 'hotelGoogleCalendarOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
			{
				name: 'hotelGoogleServiceAccountApi',
				required: true,
				displayOptions: { show: { authentication: ['serviceAccount'] } },
				testedBy: 'hotelGoogleServiceAccountTest',
			},
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { operation: ['syncChanged'], database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties,
	};

	methods = { credentialTest: { ...calendarCredentialTests, ...storeCredentialTests, ...hotelDetailsCredentialTests } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// One client per execution, built on first use: its token is shared by all items.
		let client: Promise<CalendarClient> | undefined;
		const details = await hotelDetailsOf(this);
		return runOperations<CalendarContext>(this, {
			node: 'Hotel Calendar',
			operations: actions,
			context: (i) => ({ fn: this, i, details, client: () => (client ??= calendarClientFor(this)) }),
			logFields: (json) => ({
				integration: 'google_calendar',
				reservationId: json.reservationId,
				eventId: json.eventId,
				calendarId: json.calendarId,
				action: json.action,
			}),
		});
	}
}
