import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The hotel itself, set once for every workflow: the name, contact and logo the guest e-mails are
 * signed with, and the time zone and check-in / check-out times the calendar and the e-mails use.
 * Nothing here is secret; it is a credential so that it is one setting, chosen by name on the
 * Hotel Email and Hotel Calendar nodes, instead of being typed into each of them.
 */
export class HotelDetailsApi implements ICredentialType {
	name = 'hotelDetailsApi';

	displayName = 'Hotel Details API';

	documentationUrl = 'https://github.com/hotel-integrations/n8n-nodes-hotel-integrations#going-live';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Hotel Name', name: 'hotelName', type: 'string', default: '', required: true, placeholder: 'Hotel Example' },
		{
			displayName: 'Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'Europe/Berlin',
			description: "The hotel's IANA time zone: calendar events and the check-in and check-out times are in it",
			hint: "Set n8n's GENERIC_TIMEZONE to the same zone: the shipped schedules (daily e-mails, erasure at night) follow n8n's zone",
		},
		{ displayName: 'Check-In From', name: 'checkInTime', type: 'string', default: '15:00', placeholder: '15:00', description: 'HH:MM, in the hotel\'s time zone' },
		{ displayName: 'Check-Out By', name: 'checkOutTime', type: 'string', default: '11:00', placeholder: '11:00', description: 'HH:MM, in the hotel\'s time zone' },
		{ displayName: 'Phone', name: 'phone', type: 'string', default: '', placeholder: '+49 30 1234567' },
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			default: '',
			placeholder: 'name@email.com',
			description: 'Shown to guests as the contact address; its domain also names the Message-ID',
		},
		{ displayName: 'Address', name: 'address', type: 'string', default: '', placeholder: 'Example Street 1, 10115 Berlin' },
		{ displayName: 'Logo URL', name: 'logoUrl', type: 'string', default: '', placeholder: 'https://hotel.example/logo.png', description: 'An http(s) image URL; empty shows the hotel name instead' },
	];
}
