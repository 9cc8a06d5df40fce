/** The Hotel Email node's parameters. */
import { hotelDetailsParameter, typedHere } from '../shared/hotelDetails';
import type { INodeProperties } from 'n8n-workflow';
import type { Topic } from '../../lib/email/emailData';
import { placeholdersOf, topicOf, TEMPLATE_KINDS, type TemplateKind } from '../../lib/email/templates';
import { databaseParameter } from '../shared/hotelStore';

export const DEFAULT_RECIPIENT = "={{ $json.reservation?.guest?.email ?? $json.guest?.email ?? '' }}";

const TEMPLATE_NAMES: Record<TemplateKind, { name: string; description: string }> = {
	reservationConfirmation: { name: 'Reservation Confirmation', description: 'To the guest, after a booking' },
	reservationModification: { name: 'Reservation Modification', description: 'To the guest, after a change of dates, rooms or guests' },
	reservationCancellation: { name: 'Reservation Cancellation', description: 'To the guest, after a cancellation' },
	paymentReceipt: { name: 'Payment Receipt', description: 'To the guest, after a successful payment' },
	paymentFailed: { name: 'Payment Failed', description: 'To the guest, when a payment did not go through' },
	paymentRefund: { name: 'Refund Confirmation', description: 'To the guest, after a full or partial refund' },
	integrationAlert: { name: 'Integration Alert', description: 'To the hotel staff, when an integration keeps failing' },
};

const kindsAbout = (topic: Topic) => TEMPLATE_KINDS.filter((k) => topicOf(k) === topic);
const sending = ['sendNow', 'enqueue'];

/** One notice per template, listing the placeholders its subject, HTML and text may use. */
const placeholderNotices: INodeProperties[] = TEMPLATE_KINDS.map((kind) => ({
	displayName: `Placeholders for overrides: ${placeholdersOf(kind).map((p) => `{{${p}}}`).join(' ')}. Blocks: {{#name}}…{{/name}} if set, {{^name}}…{{/name}} if empty. Keep override fields Fixed, not Expression.`,
	name: `placeholders_${kind}`,
	type: 'notice',
	default: '',
	displayOptions: { show: { template: [kind] } },
}));

/** The item's reservation, payment or alert; the parameter is named after the topic. */
const source = (topic: Topic, displayName: string, def: string, description: string): INodeProperties => ({
	displayName,
	name: topic,
	type: 'json',
	default: def,
	description,
	displayOptions: { show: { template: kindsAbout(topic) } },
});

export const properties: INodeProperties[] = [
	// One resource: runOperations dispatches on resource.operation.
	{ displayName: 'Resource', name: 'resource', type: 'hidden', default: 'email' },
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Enqueue',
				value: 'enqueue',
				action: 'Queue an email',
				description: 'Put the e-mail in the outbox; the Email Queue Trigger sends it, with retries. Recommended.',
			},
			{ name: 'Preview', value: 'preview', action: 'Preview an email', description: 'Render subject, HTML and text without sending anything' },
			{ name: 'Send Now', value: 'sendNow', action: 'Send an email now', description: 'Send at once (still recorded in the outbox, so it is sent once)' },
		],
		default: 'enqueue',
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'options',
		options: TEMPLATE_KINDS.map((kind) => ({ ...TEMPLATE_NAMES[kind], value: kind })),
		default: 'reservationConfirmation',
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: DEFAULT_RECIPIENT,
		placeholder: 'guest@example.com',
		description: "Recipient(s), comma-separated. By default the reservation's guest e-mail; for alerts, the staff address.",
	},
	source('reservation', 'Reservation', '={{ $json.reservation ?? $json }}', 'The reservation, as the Hotel Reservations node or an OTA trigger outputs it (id, version, guest, arrival, departure, …)'),
	source('payment', 'Payment', '={{ $json.change ?? $json.payment ?? $json }}', "The payment: a Payment Webhook Trigger item's change, or a Hotel Payment result"),
	source('alert', 'Alert', '={{ $json }}', 'An Integration Health item: integration, error, consecutiveFailures (and failingSince or alertKey)'),
	hotelDetailsParameter,
	{ displayName: 'Hotel Name', name: 'hotelName', type: 'string', default: '', required: true, placeholder: 'Hotel Example', displayOptions: { show: typedHere } },
	{
		displayName: 'Logo URL',
		name: 'logoUrl',
		type: 'string',
		default: '',
		placeholder: 'https://hotel.example/logo.png',
		description: 'An http(s) image URL; empty shows the hotel name instead',
		displayOptions: { show: typedHere },
	},
	{ displayName: 'Hotel Phone', name: 'hotelPhone', type: 'string', default: '', placeholder: '+49 30 1234567', displayOptions: { show: typedHere } },
	{
		displayName: 'Hotel Email',
		name: 'hotelEmail',
		type: 'string',
		default: '',
		placeholder: 'name@email.com',
		description: 'Shown to guests as the contact address; its domain also names the Message-ID',
		displayOptions: { show: typedHere },
	},
	{ displayName: 'Hotel Address', name: 'hotelAddress', type: 'string', default: '', placeholder: 'Example Street 1, 10115 Berlin', displayOptions: { show: typedHere } },
	{
		displayName: 'Template Overrides',
		name: 'templateOverrides',
		type: 'collection',
		placeholder: 'Override part',
		default: {},
		description: 'Replace parts of the built-in template; use Preview to check the result',
		options: [
			{ displayName: 'HTML', name: 'html', type: 'string', typeOptions: { rows: 12 }, default: '', description: 'The whole HTML part; every value is HTML-escaped' },
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '' },
			{ displayName: 'Text', name: 'text', type: 'string', typeOptions: { rows: 8 }, default: '', description: 'The plain-text part' },
		],
	},
	...placeholderNotices,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Dedupe Key',
				name: 'dedupeKey',
				type: 'string',
				default: '',
				description:
					'Your own key for "the same e-mail" (an e-mail is sent once per template and key). Default: the reservation ID and version, the payment ID, or the alert key.',
			},
		],
	},
	{ ...databaseParameter, displayOptions: { show: { operation: sending } } },
];
