/**
 * What the n8n editor asks for, read with n8n's own display rules: each credential appears exactly
 * when its integration is selected (a multi-select shows a credential when any chosen value
 * matches), the Hotel PostgreSQL credential when the state lives in PostgreSQL.
 */
import { NodeHelpers, type INode } from 'n8n-workflow';
import { IntegrationHealth } from '../../nodes/IntegrationHealth/IntegrationHealth.node';
import { isIntegrationId } from '../../nodes/IntegrationHealth/checks';

const description = new IntegrationHealth().description;

function credentialsShown(parameters: Record<string, unknown>): string[] {
	const node = { id: '1', name: 'Integration Health', type: 'integrationHealth', typeVersion: 1, position: [0, 0], parameters } as INode;
	return [...(NodeHelpers.getActiveCredentialTypes(node, description) ?? [])].sort();
}

it.each([
	[{ integrations: ['stripe'], database: 'embedded' }, ['hotelStripeApi']],
	[{ integrations: ['otaChannel', 'redis'], database: 'embedded' }, ['hotelOtaChannelApi', 'hotelRedisApi']],
	[{ integrations: ['smtp', 'postgresql'], database: 'postgres' }, ['hotelPostgresApi', 'hotelSmtpApi']],
	[{ integrations: ['googleCalendar'], googleAuthentication: 'serviceAccount', database: 'embedded' }, ['hotelGoogleServiceAccountApi']],
	[{ integrations: ['googleCalendar'], googleAuthentication: 'oAuth2', database: 'embedded' }, ['hotelGoogleCalendarOAuth2Api']],
	[{ integrations: [], database: 'postgres' }, ['hotelPostgresApi']],
])('%j shows %j', (parameters, expected) => {
	expect(credentialsShown(parameters)).toEqual(expected);
});

it('has a Results and an Alerts output', () => {
	expect(description.outputNames).toEqual(['Results', 'Alerts']);
	expect(description.outputs).toHaveLength(2);
});

it('has a check for every integration it offers', () => {
	const offered = description.properties.find((p) => p.name === 'integrations')?.options?.map((o) => ('value' in o ? String(o.value) : '')) ?? [];
	expect([...offered].sort()).toEqual(['emailQueue', 'googleCalendar', 'otaChannel', 'paymentWebhooks', 'postgresql', 'redis', 'smtp', 'square', 'stripe', 'unmatchedPayments']);
	expect(offered.filter((value) => !isIntegrationId(value))).toEqual([]);
});
