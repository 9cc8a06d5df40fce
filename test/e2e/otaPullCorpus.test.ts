/**
 * The corpus of channels' published shapes (test/fixtures/ota/corpus) taken in through the OTA
 * Booking Trigger of the shipped pull workflow, in a real n8n: the local OTA answers each pull with
 * one corpus message as it is, and the workflow is run from its trigger as the editor's "Test
 * workflow" does (a scheduled poll comes once a minute: 28 of them would take half an hour). Each
 * readable reservation is stored as the channel meant it; an unreadable one leaves on "Not Taken
 * In" and fails the execution, naming it; a message in a foreign namespace fails the execution.
 * The n8n keeps its hotel in PostgreSQL by its instance setting (HOTEL_DATABASE_URL), the workflow
 * naming no store.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput, pointCredentialsAt, runManually, type N8nExecution } from '../../scripts/n8nApi';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { corpusFiles, expectStoredAsExpected, mapCorpusRoomTypes } from '../support/corpus';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { waitFor } from '../support/waitFor';
import { databaseUrl, shippedWorkflow } from '../support/workflows';

const CHANNEL = 'corpus';
const TRIGGER = 'Pull Reservations';
const files = corpusFiles();
let n8n: N8n;
let peer: OtaPeer;
let database: TestDatabase;
let db: Db;
let hotel: HotelService;
let workflowId: string;

jest.setTimeout(300_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_pull_corpus');
	db = await getStore(database.config);
	hotel = new HotelService(db);
	await mapCorpusRoomTypes(db, hotel, CHANNEL, files);
	peer = await startOtaPeer({ profile: 'generic', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	// The hotel's store set once for the whole n8n, as hotel IT does: no node of the shipped workflow names one.
	n8n = await startN8n({ env: { HOTEL_DATABASE_URL: databaseUrl(database) } });
	const ids: Record<string, string> = {};
	ids['Hotel OTA Channel'] = (await n8n.api.createCredential({
		name: 'Hotel OTA Channel',
		type: 'hotelOtaChannelApi',
		data: { profile: 'generic', channel: CHANNEL, baseUrl: peer.url, hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret', webhookSecret: '' },
	})).id;
	// Saved, not activated: no scheduled poll takes a message meant for a test.
	const workflow = shippedWorkflow('ota-booking-pull.json');
	pointCredentialsAt(workflow, ids);
	({ id: workflowId } = await n8n.api.createWorkflow({ ...workflow, name: 'OTA pull (corpus)' }));
});

afterAll(async () => {
	await n8n?.stop();
	await peer?.stop();
	await closeAllStores();
	await database?.drop();
});

async function pullOnce(): Promise<N8nExecution> {
	const executionId = await runManually(n8n, workflowId, TRIGGER);
	return waitFor(
		async () => {
			const execution = await n8n.api.getExecution(executionId, true).catch(() => undefined);
			return execution && ['success', 'error', 'crashed'].includes(execution.status) ? execution : undefined;
		},
		60_000,
		`execution ${executionId}`,
	);
}

it.each(files.map(({ name }) => name))('%s', async (name) => {
	const { xml, expected } = files.find((file) => file.name === name)!;
	peer.answerNextPullWith(xml);
	const execution = await pullOnce();
	if (expected.refused) {
		expect(execution.status).toBe('error');
		expect(JSON.stringify(execution.data?.resultData.error ?? '')).toContain('namespace');
		return;
	}
	const failed = (expected.failures ?? []).map((f) => f.channelReservationId);
	expect(nodeOutput(execution, TRIGGER, 1).map((item) => item.channelReservationId)).toEqual(failed);
	expect(nodeOutput(execution, TRIGGER, 0).map((item) => item.channelReservationId)).toEqual(
		(expected.reservations ?? []).map((r) => r.channelReservationId).filter((id) => !failed.includes(id)),
	);
	// A reservation not taken in fails the execution, naming it; otherwise the run is green.
	expect(execution.status).toBe(failed.length > 0 ? 'error' : 'success');
	await expectStoredAsExpected(hotel, CHANNEL, expected);
});
