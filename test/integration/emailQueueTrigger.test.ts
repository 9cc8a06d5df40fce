/**
 * The Email Queue Trigger with a small fake trigger context: while "active" it works the outbox on
 * its interval and emits one item per message sent or given up on (a retried message is not news
 * yet), closeFunction stops it cleanly, and the manual run ("Test workflow") works the queue once
 * and always emits.
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';
import { EmailQueueTrigger } from '../../nodes/EmailQueueTrigger/EmailQueueTrigger.node';
import { composeEmail } from '../../lib/email/compose';
import { EmailOutbox } from '../../lib/email/outbox';
import type { Db } from '../../lib/store/db';
import type { SmtpPeer } from '../peers/smtpPeer';
import type { TestDatabase } from '../support/services';
import { resetOutboxTestState, startStoreAndSmtpPeer } from '../support/smtpStore';

let database: TestDatabase;
let db: Db;
let peer: SmtpPeer;
let close: () => Promise<void>;

beforeAll(async () => {
	({ database, db, peer, close } = await startStoreAndSmtpPeer('emailtrigger'));
});
afterAll(() => close());
beforeEach(() => resetOutboxTestState(db, peer));

function fakeTrigger(mode: 'trigger' | 'manual', parameters: Record<string, unknown>) {
	const emitted: INodeExecutionData[][] = [];
	const logs: string[] = [];
	const failedExecutions: string[] = [];
	const { config } = database;
	const credentials: Record<string, ICredentialDataDecryptedObject> = {
		hotelSmtpApi: { host: peer.host, port: peer.port, tls: 'none', fromAddress: 'desk@seeblick.example' },
		hotelPostgresApi: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '' },
	};
	const params: Record<string, unknown> = { intervalSeconds: 0.1, concurrency: 2, options: {}, database: 'postgres', ...parameters };
	const log = (level: string) => (message: string, meta?: unknown) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
	const ctx = {
		getNode: () => ({ id: 'trigger-1', name: 'Email Queue Trigger', type: 'n8n-nodes-hotel-integrations.emailQueueTrigger', typeVersion: 1, position: [0, 0], parameters: params }),
		getNodeParameter: (name: string, fallback?: unknown) => params[name] ?? fallback,
		getCredentials: async (type: string) => credentials[type],
		getMode: () => mode,
		emit: (data: INodeExecutionData[][]) => emitted.push(data[0]),
		saveFailedExecution: (error: Error) => failedExecutions.push(error.message),
		logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
	};
	return { ctx: ctx as unknown as ITriggerFunctions, emitted, logs, failedExecutions };
}

async function enqueue(id: string, outbox = new EmailOutbox(db)) {
	const email = composeEmail({
		template: 'reservationConfirmation',
		hotel: { name: 'Hotel Seeblick' },
		source: { id, version: 1, arrival: '2026-05-01', departure: '2026-05-02', guest: { name: 'Zoë' } },
		to: 'zoe@example.com',
	});
	return (await outbox.enqueue(email)).message;
}

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
	const deadline = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
};

it('works the queue while active, emits sent and finally failed messages, and stops on close', async () => {
	const first = await enqueue('R-T1');
	const second = await enqueue('R-T2');
	peer.fail(1, 554); // whichever goes first is refused for good
	const { ctx, emitted, logs } = fakeTrigger('trigger', {});
	const response = await new EmailQueueTrigger().trigger.call(ctx);
	await until('both messages handled', () => emitted.flat().length === 2);

	const items = emitted.flat().map((i) => i.json);
	expect(items.map((i) => i.status).sort()).toEqual(['failed', 'sent']);
	const failed = items.find((i) => i.status === 'failed')!;
	expect(failed).toMatchObject({ to: 'zoe@example.com', template: 'reservationConfirmation', attempts: 1, error: expect.stringMatching(/554/) });
	expect([first.id, second.id]).toContain(failed.id);
	expect(items.find((i) => i.status === 'sent')).toMatchObject({ attempts: 1, error: null, response: expect.stringMatching(/^250/) });

	// Still active: a message queued now is sent on the next round.
	await enqueue('R-T3');
	await until('the third message', () => peer.messages.length === 2);
	await until('its item', () => emitted.flat().length === 3);

	await response.closeFunction!();
	await enqueue('R-T4');
	await new Promise((resolve) => setTimeout(resolve, 400));
	expect(peer.messages).toHaveLength(2); // closed: nothing is worked any more
	expect(await new EmailOutbox(db).counts()).toMatchObject({ queued: 1, sending: 0, sent: 2, failed: 1 });
	expect(logs.join('\n')).toContain('Email Queue Trigger: outbox worked');
});

it('does not emit a message that is only being retried, and emits it once it is sent', async () => {
	await enqueue('R-T5');
	peer.fail(2, 451); // both quick attempts of the first round are refused
	const { ctx, emitted } = fakeTrigger('trigger', { options: { firstRetrySeconds: 0.3 } });
	const response = await new EmailQueueTrigger().trigger.call(ctx);
	try {
		await until('a retry', () => peer.rejections.length === 2);
		expect(emitted.flat()).toHaveLength(0);
		await until('the message sent', () => emitted.flat().length === 1);
		expect(emitted.flat()[0].json).toMatchObject({ status: 'sent', attempts: 2 });
	} finally {
		await response.closeFunction!();
	}
	expect(peer.messages).toHaveLength(1);
});

it('closes cleanly while a message is being sent: it is finished and recorded first', async () => {
	const message = await enqueue('R-T6');
	peer.delayData(500, 1);
	const { ctx } = fakeTrigger('trigger', {});
	const response = await new EmailQueueTrigger().trigger.call(ctx);
	await new Promise((resolve) => peer.events.once('data', resolve));
	await response.closeFunction!();
	expect(await new EmailOutbox(db).get(message.id)).toMatchObject({ status: 'sent' });
	expect(peer.messages).toHaveLength(1);
});

it('works the queue once for "Test workflow", and says so when nothing was due', async () => {
	await enqueue('R-T7');
	const manual = fakeTrigger('manual', {});
	const response = await new EmailQueueTrigger().trigger.call(manual.ctx);
	expect(manual.emitted).toHaveLength(0); // nothing happens before the manual run
	await response.manualTriggerFunction!();
	expect(manual.emitted.flat().map((i) => i.json.status)).toEqual(['sent']);
	await response.closeFunction!();

	const idle = fakeTrigger('manual', {});
	const idleResponse = await new EmailQueueTrigger().trigger.call(idle.ctx);
	await idleResponse.manualTriggerFunction!();
	expect(idle.emitted.flat().map((i) => i.json)).toEqual([{ status: 'idle', message: 'No e-mail was due in the outbox.', queued: 0, sending: 0, sent: 1, failed: 0 }]);
	await idleResponse.closeFunction!();
});
