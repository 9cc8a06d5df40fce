import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { SecretRedactor } from '../../lib/health/redact';
import { runChecks, type CheckResult } from '../../lib/health/runChecks';
import { recordResults, unrecordedResults, type RecordedResult } from '../../lib/health/streaks';
import { calendarCredentialTests } from '../shared/calendarConnection';
import { smtpCredentialTests } from '../shared/smtpConnection';
import { hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { otaCredentialTests } from '../shared/otaConnection';
import { checkFor, isIntegrationId, type IntegrationId } from './checks';
import { properties } from './description';

/**
 * Checks the hotel's integrations — OTA channel, Stripe, SMTP, Google Calendar, PostgreSQL,
 * Redis — and reports status and latency for each on "Results". Failure streaks are kept in the
 * hotel database, so "Alerts" carries an integration only on the run where it has failed more
 * than N times in a row, and once more when it recovers: a schedule can send an e-mail from
 * Alerts without sending one every 5 minutes. A failing integration is a result, never a failed
 * execution; only a node with nothing to check fails.
 */
export class IntegrationHealth implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Integration Health',
		name: 'integrationHealth',
		icon: { light: 'file:integrationHealth.svg', dark: 'file:integrationHealth.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["integrations"].join(", ") }}',
		description: 'Check that OTA channels, Stripe, SMTP, Google Calendar, PostgreSQL and Redis answer, and alert once when one keeps failing',
		defaults: { name: 'Integration Health' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Results', 'Alerts'],
		credentials: [
			{ name: 'hotelOtaChannelApi', required: true, displayOptions: { show: { integrations: ['otaChannel'] } }, testedBy: 'otaChannelConnection' },
			{ name: 'hotelStripeApi', required: true, displayOptions: { show: { integrations: ['stripe'] } } },
			{ name: 'hotelSquareApi', required: true, displayOptions: { show: { integrations: ['square'] } } },
			{ name: 'hotelSmtpApi', required: true, displayOptions: { show: { integrations: ['smtp'] } }, testedBy: 'hotelSmtpConnection' },
			{
				name: 'hotelGoogleServiceAccountApi',
				required: true,
				displayOptions: { show: { integrations: ['googleCalendar'], googleAuthentication: ['serviceAccount'] } },
				testedBy: 'hotelGoogleServiceAccountTest',
			},
			{
				name: 'hotelGoogleCalendarOAuth2Api',
				required: true,
				displayOptions: { show: { integrations: ['googleCalendar'], googleAuthentication: ['oAuth2'] } },
			},
			{ name: 'hotelRedisApi', required: true, displayOptions: { show: { integrations: ['redis'] } }, testedBy: 'hotelRedisConnection' },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties,
	};

	// The same Test buttons as on the nodes that own these credentials.
	methods = { credentialTest: { ...storeCredentialTests, ...otaCredentialTests, ...smtpCredentialTests, ...calendarCredentialTests } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// One health run per execution, whatever the input (a Schedule Trigger sends one item).
		const paired = { item: 0 };
		const settings = readSettings(this);
		if ('problem' in settings) {
			const error = new NodeOperationError(this.getNode(), settings.problem, { description: settings.hint });
			if (!this.continueOnFail()) throw error;
			return [[{ json: { error: error.message }, pairedItem: paired }], []];
		}
		const { selected, threshold, timeoutMs } = settings;

		const redactor = new SecretRedactor();
		const checks = await Promise.all(selected.map((id) => checkFor(id, { fn: this, timeoutMs, redactor })));
		const results = (await runChecks(checks, { timeoutMs })).map((r): CheckResult => (r.error ? { ...r, error: redactor.redact(r.error) } : r));
		const recorded = await record(this, results, threshold, redactor);

		for (const r of recorded) logResult(this, r);
		return [
			recorded.map((r) => ({ json: resultJson(r), pairedItem: paired })),
			recorded.flatMap((r) => (r.alert ? [{ json: r.alert as unknown as IDataObject, pairedItem: paired }] : [])),
		];
	}
}

interface Settings {
	selected: IntegrationId[];
	threshold: number;
	timeoutMs: number;
}

/** The node's parameters, or what to fix. */
function readSettings(fn: IExecuteFunctions): Settings | { problem: string; hint?: string } {
	const selected = (fn.getNodeParameter('integrations', 0, []) as string[]).filter(isIntegrationId);
	if (selected.length === 0) return { problem: 'No integration to check', hint: 'Choose at least one integration under "Integrations to Check".' };
	const threshold = Number(fn.getNodeParameter('alertAfterFailures', 0, 3));
	if (!Number.isInteger(threshold) || threshold < 0) return { problem: `"Alert After Failures" must be a whole number of at least 0, not ${threshold}` };
	const timeoutSeconds = Number(fn.getNodeParameter('timeout', 0, 10));
	if (!(timeoutSeconds > 0)) return { problem: `"Timeout (Seconds)" must be more than 0, not ${timeoutSeconds}` };
	return { selected, threshold, timeoutMs: Math.round(timeoutSeconds * 1000) };
}

/** Streaks in the hotel database; if it cannot be reached, the results still go out (see unrecordedResults). */
async function record(fn: IExecuteFunctions, results: CheckResult[], threshold: number, redactor: SecretRedactor): Promise<RecordedResult[]> {
	try {
		return await recordResults(await hotelStore(fn), results, { threshold });
	} catch (error) {
		const reason = `The health state could not be recorded (${redactor.redact((error as Error).message)}); alerts repeat every run until it can.`;
		fn.logger.error('Integration health state not recorded', { operation: 'health-check', error: reason });
		return unrecordedResults(results, reason);
	}
}

function logResult(fn: IExecuteFunctions, r: RecordedResult): void {
	const fields = { integration: r.integration, operation: 'health-check', status: r.status, durationMs: r.latencyMs, consecutiveFailures: r.consecutiveFailures };
	if (r.status === 'ok') fn.logger.info('Integration health check passed', fields);
	else fn.logger.warn('Integration health check failed', { ...fields, error: r.error });
	if (r.alert) fn.logger.warn(`Integration health alert: ${r.integration} ${r.alert.alert}`, { ...fields, alert: r.alert.alert, since: r.alert.since });
}

function resultJson(r: RecordedResult): IDataObject {
	return {
		integration: r.integration,
		status: r.status,
		latencyMs: r.latencyMs,
		error: r.error ?? null,
		consecutiveFailures: r.consecutiveFailures,
		checkedAt: r.checkedAt,
	};
}
