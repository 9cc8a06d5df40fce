import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The hotel's outgoing mail server, for guest e-mails and alerts. The Test button (run by the
 * Hotel Email and Email Queue Trigger nodes) connects, upgrades to TLS as configured and logs in:
 * the server's own verdict. TLS certificates are always verified.
 */
export class HotelSmtpApi implements ICredentialType {
	name = 'hotelSmtpApi';

	displayName = 'Hotel SMTP API';

	documentationUrl = 'https://nodemailer.com/smtp/';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: '', required: true, placeholder: 'smtp.example.com' },
		{ displayName: 'Port', name: 'port', type: 'number', default: 587, description: 'Usually 587 for STARTTLS, 465 for implicit TLS' },
		{
			displayName: 'TLS',
			name: 'tls',
			type: 'options',
			options: [
				{ name: 'STARTTLS (Required)', value: 'starttls', description: 'Connect in plain text, then upgrade; refuse a server that cannot' },
				{ name: 'Implicit TLS', value: 'tls', description: 'TLS from the first byte (SMTPS)' },
				{ name: 'None (Local Test Servers Only)', value: 'none', description: 'No encryption at all: the password and the e-mails travel in clear text' },
			],
			default: 'starttls',
		},
		{ displayName: 'User', name: 'user', type: 'string', default: '', description: 'Leave empty for a server that needs no login' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{
			displayName: 'From Address',
			name: 'fromAddress',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'reservations@hotel.example',
			description: 'The sender of every e-mail; guests reply to it',
		},
		{ displayName: 'From Name', name: 'fromName', type: 'string', default: '', placeholder: 'Hotel Example' },
	];
}
