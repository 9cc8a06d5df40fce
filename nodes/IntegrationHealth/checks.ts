/**
 * From the node's choice of integrations and their credentials to health checks (lib/health).
 * Credentials are read here, before the clock starts; a credential that cannot be read becomes a
 * check that fails with the reason, so one misconfigured integration never stops the others.
 */
import { NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions } from 'n8n-workflow';
import { calendarConfigFrom, serviceAccountSender } from '../../lib/calendar/serviceAccount';
import { smtpConfigFrom, verifySmtp } from '../../lib/email/smtpTransport';
import { probeDatabase, probeGoogleCalendar, probeOtaChannel, probeRedis, probeSquare, probeStripe } from '../../lib/health/probes';
import { checkChannelDrift, checkChannelWrites, checkEmailQueue, checkPaymentWebhooks, checkUnmatchedPayments } from '../../lib/health/records';
import type { SecretRedactor } from '../../lib/health/redact';
import type { Check } from '../../lib/health/runChecks';
import { stripeConnectionFrom } from '../../lib/payments/stripeGateway';
import { squareConnectionFrom } from '../../lib/payments/squareGateway';
import { getRedis } from '../../lib/store/redis';
import { hotelStore, redisConfigFrom } from '../shared/hotelStore';
import { channelConnectionFrom } from '../shared/otaConnection';
import { oauth2Sender } from '../shared/calendarConnection';
import { describeStore, instanceStoreConfig } from '../../lib/store/instanceStore';

export type IntegrationId = 'emailQueue' | 'googleCalendar' | 'otaChannel' | 'paymentWebhooks' | 'postgresql' | 'redis' | 'smtp' | 'square' | 'stripe' | 'unmatchedPayments';

export interface CheckSetup {
	fn: IExecuteFunctions;
	timeoutMs: number;
	/** Learns every secret read, to blank it out of messages and logs. */
	redactor: SecretRedactor;
}

type Builder = (setup: CheckSetup) => Promise<Check>;

/** Names for a check whose credential could not be read (a readable OTA credential names its channel: ota:booking). */
const DEFAULT_NAMES: Record<IntegrationId, string> = {
	emailQueue: 'email-queue',
	googleCalendar: 'google-calendar',
	otaChannel: 'ota',
	paymentWebhooks: 'payment-webhooks',
	postgresql: 'postgresql',
	redis: 'redis',
	smtp: 'smtp',
	square: 'square',
	stripe: 'stripe',
	unmatchedPayments: 'unmatched-payments',
};

async function credentials(setup: CheckSetup, type: string): Promise<ICredentialDataDecryptedObject> {
	const c = await setup.fn.getCredentials(type);
	setup.redactor.add(c);
	return c;
}

const builders: Record<IntegrationId, Builder> = {
	// A read now, the outcome of the recent writes (pushes, acknowledgements) and the latest audit, from the sync log.
	async otaChannel(setup) {
		const connection = channelConnectionFrom(await credentials(setup, 'hotelOtaChannelApi'));
		return {
			integration: `ota:${connection.channel}`,
			run: async () => {
				await probeOtaChannel(connection);
				const db = await hotelStore(setup.fn);
				await checkChannelWrites(db, connection.channel);
				await checkChannelDrift(db, connection.channel, Number(setup.fn.getNodeParameter('driftThreshold', 0, 0)));
			},
		};
	},

	async emailQueue(setup) {
		return { integration: 'email-queue', run: async () => checkEmailQueue(await hotelStore(setup.fn)) };
	},

	async paymentWebhooks(setup) {
		return { integration: 'payment-webhooks', run: async () => checkPaymentWebhooks(await hotelStore(setup.fn)) };
	},

	async unmatchedPayments(setup) {
		return { integration: 'unmatched-payments', run: async () => checkUnmatchedPayments(await hotelStore(setup.fn)) };
	},

	async stripe(setup) {
		const c = await credentials(setup, 'hotelStripeApi');
		return { integration: 'stripe', run: () => probeStripe(stripeConnectionFrom(c), setup.timeoutMs) };
	},

	async square(setup) {
		const connection = squareConnectionFrom(await credentials(setup, 'hotelSquareApi'));
		return { integration: 'square', run: () => probeSquare(connection, setup.timeoutMs) };
	},

	async smtp(setup) {
		const config = smtpConfigFrom(await credentials(setup, 'hotelSmtpApi'));
		return { integration: 'smtp', run: (signal) => verifySmtp(config, signal) };
	},

	async googleCalendar(setup) {
		const viaOAuth2 = setup.fn.getNodeParameter('googleAuthentication', 0, 'oAuth2') === 'oAuth2';
		const type = viaOAuth2 ? 'hotelGoogleCalendarOAuth2Api' : 'hotelGoogleServiceAccountApi';
		const c = await credentials(setup, type);
		const { apiBaseUrl, calendarId } = calendarConfigFrom(c);
		const send = viaOAuth2 ? oauth2Sender(setup.fn, type) : serviceAccountSender(c);
		return { integration: 'google-calendar', run: (signal) => probeGoogleCalendar(send, apiBaseUrl, calendarId, setup.timeoutMs, signal) };
	},

	// The database chosen under Database: the store, reached as every node of this package does.
	async postgresql(setup) {
		const choice = setup.fn.getNodeParameter('database', 0, 'instance');
		let where = describeStore(choice === 'embedded' ? { kind: 'embedded' } : instanceStoreConfig());
		if (choice === 'postgres') {
			const c = await credentials(setup, 'hotelPostgresApi');
			where = `PostgreSQL at ${String(c.host)}:${String(c.port ?? 5432)}/${String(c.database)}`;
		}
		return { integration: 'postgresql', run: () => probeDatabase(() => hotelStore(setup.fn), where) };
	},

	// The shared connection every node uses, so the check sees what the workflows see.
	async redis(setup) {
		const config = redisConfigFrom(await credentials(setup, 'hotelRedisApi'));
		const redis = getRedis(config);
		return { integration: 'redis', run: () => probeRedis(redis, `${config.host}:${config.port}`) };
	},
};

export function isIntegrationId(value: string): value is IntegrationId {
	return Object.prototype.hasOwnProperty.call(builders, value);
}

export async function checkFor(id: IntegrationId, setup: CheckSetup): Promise<Check> {
	try {
		return await builders[id](setup);
	} catch (error) {
		const problem = new NodeOperationError(setup.fn.getNode(), `The ${DEFAULT_NAMES[id]} check is not set up properly: ${(error as Error).message}`);
		return { integration: DEFAULT_NAMES[id], run: () => Promise.reject(problem) };
	}
}
