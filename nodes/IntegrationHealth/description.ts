import type { INodeProperties } from 'n8n-workflow';
import { databaseParameter } from '../shared/hotelStore';

export const properties: INodeProperties[] = [
	{
		displayName: 'Integrations to Check',
		name: 'integrations',
		type: 'multiOptions',
		noDataExpression: true,
		required: true,
		options: [
			{
				name: 'E-Mail Queue',
				value: 'emailQueue',
				description: 'Fails while e-mails failed for good in the last day, or are due and unsent for 15 minutes (from the outbox)',
			},
			{ name: 'Google Calendar', value: 'googleCalendar', description: 'Reads the calendar set in the credential (GET calendars/{ID})' },
			{
				name: 'OTA Channel',
				value: 'otaChannel',
				description: 'Asks the channel for undelivered reservations (a read: nothing is acknowledged), and fails while its last 3 pushes and acknowledgements failed',
			},
			{
				name: 'Payment Webhooks',
				value: 'paymentWebhooks',
				description: 'Fails while Stripe or Square events of the last day failed in the workflow and were not processed since',
			},
			{ name: 'PostgreSQL', value: 'postgresql', description: 'Runs SELECT 1 on the database chosen under Database' },
			{ name: 'Redis', value: 'redis', description: 'Sends PING' },
			{ name: 'SMTP', value: 'smtp', description: "Connects and logs in with the SMTP server's own verification (no e-mail is sent)" },
			{ name: 'Square', value: 'square', description: 'Reads the location set in the credential (GET /v2/locations/{ID})' },
			{ name: 'Stripe', value: 'stripe', description: 'Reads the account balance (GET /v1/balance)' },
			{
				name: 'Unmatched Payments',
				value: 'unmatchedPayments',
				description: 'Fails while a Stripe or Square payment names no reservation of the hotel and is not matched yet',
			},
		],
		default: [],
		description: 'Each one is checked once per run, all at the same time, without retries: a retry would hide the latency and the failure the check is there to show',
		hint: 'Keep only the integrations your hotel uses: each one checked needs its credential filled in',
	},
	{
		displayName: 'Google Authentication',
		name: 'googleAuthentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'OAuth2', value: 'oAuth2', description: 'A Google user who connected their calendar' },
			{ name: 'Service Account', value: 'serviceAccount', description: 'A service account the calendar is shared with' },
		],
		default: 'oAuth2',
		displayOptions: { show: { integrations: ['googleCalendar'] } },
	},
	{
		displayName: 'Channel Drift Threshold (Nights)',
		name: 'driftThreshold',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description:
			"The OTA channel fails while its latest audit (OTA Channel → Audit) found more room type nights than this that differed from the hotel's records, repaired or not: a channel that keeps drifting is losing updates",
		displayOptions: { show: { integrations: ['otaChannel'] } },
	},
	{
		...databaseParameter,
		description:
			'Where the failure streaks are kept, so an alert goes out once even across restarts and workers. Choose PostgreSQL in queue mode. The PostgreSQL check also queries this database.',
	},
	{
		displayName: 'Alert After Failures',
		name: 'alertAfterFailures',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 3,
		description:
			'An integration goes to the Alerts output once it has failed more than this many checks in a row (with 3: on the 4th failure), and once more when it works again',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 300 },
		default: 10,
		description: 'How long each check may take before it counts as failed',
	},
];
