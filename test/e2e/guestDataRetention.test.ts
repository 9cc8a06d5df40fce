/**
 * workflows/guest-data-retention.json in a real n8n: its nightly run, started now, erases the guest
 * data of a stay that ended long ago and leaves a recent guest's alone; the execution's item says
 * what was erased.
 */
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput, runManually } from '../../scripts/n8nApi';
import { HotelService } from '../../lib/booking/hotelService';
import { addDays, today } from '../../lib/inventory/dates';
import { ERASED_NAME } from '../../lib/privacy/guestData';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { createPostgresCredential, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { waitFor } from '../support/waitFor';

let n8n: N8n;
let database: TestDatabase;
let db: Db;
let workflowId: string;

jest.setTimeout(180_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_retention');
	db = await getStore(database.config);
	n8n = await startN8n();
	const ids = { [POSTGRES_CREDENTIAL_NAME]: await createPostgresCredential(n8n, database) };
	workflowId = (await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('guest-data-retention.json'))), ids)).id;
});

afterAll(async () => {
	await n8n?.stop();
	await closeAllStores();
	await database?.drop();
});

it('erases the guest data of a stay that ended over a year ago, and only that, when the nightly run starts', async () => {
	const then = new HotelService(db, { today: () => '2024-01-10' });
	await then.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await then.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await then.setInventory({ roomType: 'DBL', from: '2024-01-10', to: addDays(today(), 30), allotment: 3 });
	await then.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: '2024-01-10', to: addDays(today(), 30), amount: 9000 });
	const old = await then.book.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: '2024-02-01', departure: '2024-02-02', adults: 1, guest: { name: 'Ada Longago', email: 'ada@guest.example', phone: '+1 555 0100' } });
	const soon = await new HotelService(db).book.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: addDays(today(), 5), departure: addDays(today(), 6), adults: 1, guest: { name: 'Bea Soon', email: 'bea@guest.example' } });

	const executionId = await runManually(n8n, workflowId, 'Every Night at 3');
	const execution = await waitFor(async () => {
		const e = await n8n.api.getExecution(executionId, true);
		return e.finished || e.status === 'error' ? e : undefined;
	}, 60_000);
	expect(execution.status).toBe('success');
	const [report] = nodeOutput(execution, 'Erase Guest Data Past Retention', 0) as Array<{ erased: Array<{ reservationId: string }>; remaining: number }>;
	expect(report.erased.map((e) => e.reservationId)).toEqual([old.id]);
	expect(report.remaining).toBe(0);

	const book = new HotelService(db).book;
	expect(await book.get(old.id)).toMatchObject({ guest: { name: ERASED_NAME, email: null, phone: null }, amount: 9000, arrival: '2024-02-01' });
	expect(await book.get(soon.id)).toMatchObject({ guest: { name: 'Bea Soon', email: 'bea@guest.example' } });
});
