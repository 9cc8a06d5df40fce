/**
 * The Integration Health node's SMTP and Google Calendar checks against the local SMTP peer (a
 * real SMTP server) and the Google peer: service account and OAuth2 (n8n's
 * httpRequestWithAuthentication stood in for by a fake that behaves like it: adds the bearer token,
 * throws a NodeApiError on a non-2xx answer). State in a PostgreSQL database of this file's own.
 */
import { type ICredentialDataDecryptedObject } from 'n8n-workflow';
import { clearTokenCache } from '../../lib/calendar/serviceAccount';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore } from '../../lib/store/db';
import { IntegrationHealth } from '../../nodes/IntegrationHealth/IntegrationHealth.node';
import { startGooglePeer, type GooglePeer } from '../peers/googlePeer';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';
import { fakeExecuteContext } from '../support/fakeExecuteContext';
import { fakeOAuth2Request } from '../support/fakeOAuth2';
import { createTestDatabase, type TestDatabase } from '../support/services';

const SMTP_LOGIN = { user: 'frontdesk', pass: 'smtp-secret-password' };
let database: TestDatabase;
let smtp: SmtpPeer;
let google: GooglePeer;
let oauthToken = '';

beforeAll(async () => {
	database = await createTestDatabase('healthmail');
	smtp = await startSmtpPeer({ auth: SMTP_LOGIN });
	google = await startGooglePeer();
});
afterAll(async () => {
	await Promise.all([smtp.stop(), google.stop()]);
	await closeAllStores();
	await database.drop();
});
beforeEach(async () => {
	// Each test starts with no failure streaks.
	await (await getStore(database.config)).query('DELETE FROM integration_health');
	resetPartnerPolicies();
	clearTokenCache();
	google.fail(0);
	oauthToken = google.issueToken();
});

function credentials(over: Record<string, ICredentialDataDecryptedObject> = {}): Record<string, ICredentialDataDecryptedObject> {
	const { config } = database;
	return {
		hotelSmtpApi: { host: '127.0.0.1', port: smtp.port, tls: 'none', user: SMTP_LOGIN.user, password: SMTP_LOGIN.pass, fromAddress: 'frontdesk@hotel.example' },
		hotelGoogleServiceAccountApi: google.credential('hotel@group.calendar.google.com'),
		hotelGoogleCalendarOAuth2Api: { apiBaseUrl: google.apiBaseUrl },
		hotelPostgresApi: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '' },
		...over,
	};
}


async function runNode(params: Record<string, unknown>, creds = credentials()) {
	const { ctx, logs } = fakeExecuteContext({
		node: {
			type: 'n8n-nodes-hotel-integrations.integrationHealth',
			parameters: { database: 'postgres', alertAfterFailures: 1, timeout: 3, googleAuthentication: 'serviceAccount', ...params },
		},
		items: [{}],
		credentials: creds,
	});
	(ctx as unknown as { helpers: unknown }).helpers = { httpRequestWithAuthentication: fakeOAuth2Request('hotelGoogleCalendarOAuth2Api', () => oauthToken) };
	const [results, alerts] = await new IntegrationHealth().execute.call(ctx);
	return { byName: Object.fromEntries(results.map((r) => [r.json.integration as string, r.json])), alerts: alerts.map((a) => a.json), logs };
}

it('checks SMTP (login, nothing sent) and Google Calendar through the service account', async () => {
	const { byName, alerts, logs } = await runNode({ integrations: ['smtp', 'googleCalendar'] });
	expect(byName.smtp).toMatchObject({ status: 'ok', error: null, consecutiveFailures: 0 });
	expect(byName['google-calendar']).toMatchObject({ status: 'ok', error: null, consecutiveFailures: 0 });
	expect(smtp.messages).toHaveLength(0);
	expect(google.requests.some((r) => r.path.endsWith(`/calendars/${encodeURIComponent('hotel@group.calendar.google.com')}`) && r.status === 200)).toBe(true);
	expect(alerts).toEqual([]);
	const logged = logs.join('\n');
	for (const secret of [SMTP_LOGIN.pass, google.serviceAccount.privateKey.split('\n')[1]]) expect(logged).not.toContain(secret);
});

it('checks Google Calendar through OAuth2, and shows a refusal with what to do', async () => {
	const ok = await runNode({ integrations: ['googleCalendar'], googleAuthentication: 'oAuth2' });
	expect(ok.byName['google-calendar']).toMatchObject({ status: 'ok' });
	google.revokeTokens(); // as a revoked grant looks to Google
	const refused = await runNode({ integrations: ['googleCalendar'], googleAuthentication: 'oAuth2' });
	expect(refused.byName['google-calendar']).toMatchObject({ status: 'failed', error: expect.stringMatching(/\(401.*reconnect it/) });
});

it('a wrong SMTP password and a Google outage are failed results, alerted once past the threshold (N = 1)', async () => {
	const wrong = credentials({ hotelSmtpApi: { ...credentials().hotelSmtpApi, password: 'not-the-password' } });
	const runs = [];
	for (let n = 0; n < 3; n++) {
		google.fail(1, 503);
		runs.push(await runNode({ integrations: ['smtp', 'googleCalendar'] }, wrong));
	}
	expect(runs[0].byName.smtp).toMatchObject({ status: 'failed', error: expect.stringMatching(/refused the login for user "frontdesk"/) });
	expect(runs[0].byName['google-calendar']).toMatchObject({ status: 'failed', error: expect.stringMatching(/503/) });
	expect(runs.map((r) => r.alerts.map((a) => `${a.integration}:${a.alert}`).sort())).toEqual([[], ['google-calendar:failing', 'smtp:failing'], []]);
	expect(JSON.stringify(runs) + runs.flatMap((r) => r.logs).join('\n')).not.toContain('not-the-password');

	const back = await runNode({ integrations: ['smtp', 'googleCalendar'] });
	expect(back.alerts.map((a) => `${a.integration}:${a.alert}:${a.consecutiveFailures}`).sort()).toEqual(['google-calendar:recovered:3', 'smtp:recovered:3']);
});

it('an SMTP server that is gone fails the check with the reason', async () => {
	const { byName } = await runNode({ integrations: ['smtp'] }, credentials({ hotelSmtpApi: { ...credentials().hotelSmtpApi, port: 1 } }));
	expect(byName.smtp).toMatchObject({ status: 'failed', error: expect.stringMatching(/SMTP server 127\.0\.0\.1:1.*ECONNREFUSED/) });
});
