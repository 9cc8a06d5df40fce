/** The Hotel Calendar node's parameters. */
import { hotelDetailsParameter, typedHere } from '../shared/hotelDetails';
import type { INodeProperties } from 'n8n-workflow';
import { databaseParameter } from '../shared/hotelStore';
import { show } from '../shared/parameters';
import { DEFAULT_ACTION_EXPRESSION, DEFAULT_RESERVATION_EXPRESSION } from './actions';

const forEvent = (operation: string[]) => show('event', operation);

export const properties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'OAuth2 (Google User)', value: 'oAuth2', description: 'Sign in with the Google account that owns or shares the calendar' },
			{ name: 'Service Account', value: 'serviceAccount', description: 'A Google Cloud service account the calendar is shared with' },
		],
		default: 'oAuth2',
	},
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Reservation Event', value: 'event', description: 'The calendar event that shows a reservation' }],
		default: 'event',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['event'] } },
		options: [
			{ name: 'Delete', value: 'delete', action: 'Delete the event of a reservation', description: 'Remove the event (deleting twice is harmless)' },
			{ name: 'Get', value: 'get', action: 'Get the event of a reservation' },
			{
				name: 'Sync Reservation',
				value: 'syncReservation',
				action: 'Create update or cancel the event of a reservation',
				description: 'Create the event of a new reservation, move it on a modification, cancel it on a cancellation. Reruns never duplicate it.',
			},
			{
				name: 'Sync Changed Reservations',
				value: 'syncChanged',
				action: 'Sync every reservation the calendar has not seen',
				description: "Catch up from the hotel store: every reservation whose latest version this calendar has not been shown, in order, whatever events were missed",
			},
		],
		default: 'syncReservation',
	},
	{
		displayName: 'Calendar ID',
		name: 'calendarId',
		type: 'string',
		required: true,
		default: 'primary',
		placeholder: 'e.g. frontdesk@group.calendar.google.com',
		description: '"primary" for the account\'s own calendar, or the ID from the calendar\'s settings ("Integrate calendar")',
		hint: 'Set it to the front desk\'s calendar before activating; the sandbox uses "primary" of its local peer',
		displayOptions: { show: { resource: ['event'] } },
	},
	{
		displayName: 'Reservation',
		name: 'reservation',
		type: 'json',
		default: DEFAULT_RESERVATION_EXPRESSION,
		description: 'The reservation (ID, guest, arrival, departure, room type, …) as the Hotel Reservations node and the booking triggers output it',
		displayOptions: forEvent(['syncReservation']),
	},
	{
		displayName: 'Action',
		name: 'action',
		type: 'string',
		default: DEFAULT_ACTION_EXPRESSION,
		placeholder: 'created',
		description:
			"The change: created, modified or cancelled (book, modify and cancel are accepted too). Empty: taken from the reservation's status.",
		displayOptions: forEvent(['syncReservation']),
	},
	{ ...hotelDetailsParameter, displayOptions: forEvent(['syncReservation', 'syncChanged']) },
	{
		displayName: 'Hotel Time Zone',
		name: 'timeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. Europe/Berlin',
		description: "IANA time zone of the hotel. Empty: the workflow's time zone (Workflow Settings).",
		displayOptions: { show: { operation: ['syncReservation', 'syncChanged'], ...typedHere } },
	},
	{
		displayName: 'Check-In Time',
		name: 'checkInTime',
		type: 'string',
		default: '15:00',
		placeholder: '15:00',
		description: 'The event starts on the arrival date at this time (HH:MM, 24-hour clock, hotel time)',
		displayOptions: { show: { operation: ['syncReservation', 'syncChanged'], ...typedHere } },
	},
	{
		displayName: 'Check-Out Time',
		name: 'checkOutTime',
		type: 'string',
		default: '11:00',
		placeholder: '11:00',
		description: 'The event ends on the departure date at this time (HH:MM, 24-hour clock, hotel time)',
		displayOptions: { show: { operation: ['syncReservation', 'syncChanged'], ...typedHere } },
	},
	{
		displayName: 'Reservation ID',
		name: 'reservationId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. HB-7K2M9QX4PD',
		description: "The hotel's reservation ID; its event ID is derived from it",
		displayOptions: forEvent(['get', 'delete']),
	},
	{
		displayName: 'Reservations per Run',
		name: 'perRun',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000, numberPrecision: 0 },
		default: 50,
		description: 'At most this many reservations are synced per run; the rest follow in the next runs',
		displayOptions: forEvent(['syncChanged']),
	},
	{
		displayName: 'Past Stays (Days)',
		name: 'pastDays',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 7,
		description: 'Stays that ended longer ago than this are left as they are',
		displayOptions: forEvent(['syncChanged']),
	},
	{ ...databaseParameter, displayOptions: forEvent(['syncChanged']) },
];
