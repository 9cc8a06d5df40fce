import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';
import { workQueue, type WorkResult } from '../../lib/email/delivery';
import { EmailOutbox, type OutboxMessage } from '../../lib/email/outbox';
import { usePartnerLogger } from '../../lib/resilience/policy';
import { databaseParameter, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { smtpCredentialTests, smtpSenderFrom } from '../shared/smtpConnection';

interface Settings {
	intervalMs: number;
	concurrency: number;
	batch: number;
	leaseMs: number;
	maxAttempts: number;
	firstRetryMs: number;
}

/**
 * Works the e-mail outbox while the workflow is active: every few seconds it claims the messages
 * that are due and sends them, a few at a time, retrying failures with backoff. It emits one item
 * per message sent or given up on, for logging or alerting. Several of these (or n8n instances)
 * can work one PostgreSQL outbox together: a message is claimed by one worker at a time, and a
 * worker that dies leaves its messages to the others once their lease runs out.
 */
export class EmailQueueTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Email Queue Trigger',
		name: 'emailQueueTrigger',
		icon: { light: 'file:emailQueueTrigger.svg', dark: 'file:emailQueueTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Send queued e-mails',
		description: 'Sends the e-mails queued by the Hotel Email node, with bounded concurrency and retries',
		defaults: { name: 'Email Queue Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'hotelSmtpApi', required: true, testedBy: 'hotelSmtpConnection' },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties: [
			{
				displayName: 'Check Every (Seconds)',
				name: 'intervalSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 5,
				description: 'How often the outbox is checked for due e-mails',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 20, numberPrecision: 0 },
				default: 4,
				description: 'E-mails sent at the same time (and SMTP connections kept open)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Batch Size',
						name: 'batchSize',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: 100,
						description: 'At most this many e-mails per check (one workflow execution)',
					},
					{
						displayName: 'First Retry After (Seconds)',
						name: 'firstRetrySeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description: 'Wait before retrying a temporarily refused e-mail; doubled for each further retry (with jitter), up to an hour',
					},
					{
						displayName: 'Lease (Seconds)',
						name: 'leaseSeconds',
						type: 'number',
						typeOptions: { minValue: 60 },
						default: 120,
						description: 'How long an e-mail being sent is reserved for this worker (longer than one send with its quick retry, about 90 s at worst); if the worker dies, others send it after this time',
					},
					{
						displayName: 'Max Attempts',
						name: 'maxAttempts',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: 8,
						description: 'Attempts before an e-mail is given up on (status failed)',
					},
				],
			},
			databaseParameter,
		],
	};

	methods = { credentialTest: { ...storeCredentialTests, ...smtpCredentialTests } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const settings = readSettings(this);
		usePartnerLogger(this.logger); // retries and breaker changes of SMTP calls go to n8n's log
		// hotelStore reads parameters and credentials the same way in every context without items.
		const db = await hotelStore(this);
		const outbox = new EmailOutbox(db, { maxAttempts: settings.maxAttempts, initialDelayMs: settings.firstRetryMs });
		// One quick retry per claim for a dropped pooled connection; longer outages are the outbox's backoff.
		const sender = smtpSenderFrom(await this.getCredentials('hotelSmtpApi'), { pool: settings.concurrency, resilience: { maxAttempts: 2 } });
		const stop = new AbortController();

		const workOnce = async (): Promise<INodeExecutionData[]> => {
			const started = Date.now();
			const result = await workQueue({ outbox, sender, concurrency: settings.concurrency, leaseMs: settings.leaseMs, batch: settings.batch, signal: stop.signal });
			logRound(this, result, Date.now() - started);
			return itemsOf(result);
		};

		if (this.getMode() === 'manual') {
			// "Test workflow" in the editor: one pass, and always an item, so the editor stops waiting.
			const manualTriggerFunction = async () => {
				try {
					const items = await workOnce();
					this.emit([items.length ? items : [{ json: { status: 'idle', message: 'No e-mail was due in the outbox.', ...(await outbox.counts()) } }]]);
				} finally {
					sender.close();
				}
			};
			return { manualTriggerFunction, closeFunction: async () => stop.abort() };
		}

		let timer: NodeJS.Timeout | undefined;
		let running: Promise<void> = Promise.resolve();
		let failing = false;
		const tick = () => {
			running = (async () => {
				let full = false;
				try {
					const items = await workOnce();
					full = items.length >= settings.batch;
					if (items.length) this.emit([items]);
					failing = false;
				} catch (error) {
					this.logger.error('Email Queue Trigger: working the outbox failed', { integration: 'smtp', error: (error as Error).message });
					// One failed execution per outage (visible in the n8n UI), not one every few seconds.
					if (!failing) this.saveFailedExecution(new NodeOperationError(this.getNode(), `Working the e-mail outbox failed: ${(error as Error).message}`));
					failing = true;
				}
				// A full batch means more is due: go on at once.
				if (!stop.signal.aborted) timer = setTimeout(tick, full ? 0 : settings.intervalMs);
			})();
		};
		timer = setTimeout(tick, 0);

		const closeFunction = async () => {
			stop.abort();
			clearTimeout(timer);
			// Messages being sent are finished and recorded before the connections close.
			await running;
			sender.close();
		};
		return { closeFunction };
	}
}

function readSettings(ctx: ITriggerFunctions): Settings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback);
	return {
		intervalMs: number(ctx.getNodeParameter('intervalSeconds', 5), 5) * 1000,
		concurrency: Math.round(number(ctx.getNodeParameter('concurrency', 4), 4)),
		batch: Math.round(number(options.batchSize, 100)),
		leaseMs: number(options.leaseSeconds, 120) * 1000,
		maxAttempts: Math.round(number(options.maxAttempts, 8)),
		firstRetryMs: number(options.firstRetrySeconds, 60) * 1000,
	};
}

function item(status: 'sent' | 'failed', message: OutboxMessage, extra: IDataObject = {}): INodeExecutionData {
	return {
		json: {
			status,
			id: message.id,
			to: message.to,
			template: message.template,
			reservationId: message.reservationId,
			dedupeKey: message.dedupeKey,
			messageId: message.messageId,
			attempts: message.attempts,
			error: null,
			...extra,
		},
	};
}

/** One item per message sent or finally failed; messages queued again for a retry are not news yet. */
function itemsOf(result: WorkResult): INodeExecutionData[] {
	const items = result.deliveries
		.filter((d) => d.status !== 'retrying')
		.map((d) => item(d.status as 'sent' | 'failed', d.message, { error: d.error?.message ?? null, response: d.response ?? null }));
	return [...items, ...result.abandoned.map((m) => item('failed', m, { error: m.lastError }))];
}

function logRound(ctx: ITriggerFunctions, result: WorkResult, durationMs: number): void {
	const count = (status: string) => result.deliveries.filter((d) => d.status === status).length;
	if (result.deliveries.length === 0 && result.abandoned.length === 0) return;
	ctx.logger.info('Email Queue Trigger: outbox worked', {
		integration: 'smtp',
		operation: 'send',
		sent: count('sent'),
		retrying: count('retrying'),
		failed: count('failed') + result.abandoned.length,
		durationMs,
	});
	for (const d of result.deliveries) {
		if (d.error) ctx.logger.warn('Email Queue Trigger: e-mail not sent', { integration: 'smtp', outboxId: d.message.id, template: d.message.template, reservationId: d.message.reservationId ?? undefined, attempt: d.attempts, status: d.status, error: d.error.message });
		if (d.leaseLost) ctx.logger.warn('Email Queue Trigger: lease ran out while sending; raise the Lease option', { integration: 'smtp', outboxId: d.message.id });
	}
}
