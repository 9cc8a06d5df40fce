/**
 * After the load: did every request to a workflow become exactly one successful execution? n8n
 * saves an execution in a hook that can end after the answer went out, so the count is polled
 * (bounded) until it reaches what was sent, then read once more after a pause to catch extras.
 */
import type { N8n } from '../scripts/n8n';
import type { N8nExecution } from '../scripts/n8nApi';
import { sleep } from '../test/support/waitFor';
import { countDatabaseRows, type BenchSetup } from './setup';

const WAIT_FOR_EXECUTIONS_MS = 60_000;
const EXTRA_SETTLE_MS = 1_500;

export interface ExecutionCount {
	workflowId: string;
	requestsSent: number;
	/** Requests answered 200. */
	requestsOk: number;
	/** Finished executions by status (success, error, crashed, canceled). */
	executionsByStatus: Record<string, number>;
	successfulExecutions: number;
	exactlyOnce: boolean;
}

export interface DatabaseCount {
	claimsDone: number | null;
	claimsNotDone: number | null;
	reservationsPaid: number;
	matchesRequests: boolean;
}

export async function countExecutions(n8n: N8n, workflowId: string, requestsSent: number, requestsOk: number): Promise<ExecutionCount> {
	try {
		await n8n.api.waitForExecutions(workflowId, requestsSent, { includeData: false, timeoutMs: WAIT_FOR_EXECUTIONS_MS });
	} catch {
		// Fewer than expected: the count below says how many, which is the finding.
	}
	await sleep(EXTRA_SETTLE_MS);
	const executions = await webhookExecutions(n8n, workflowId);
	const executionsByStatus: Record<string, number> = {};
	for (const e of executions) executionsByStatus[e.status] = (executionsByStatus[e.status] ?? 0) + 1;
	const successfulExecutions = executionsByStatus.success ?? 0;
	return {
		workflowId,
		requestsSent,
		requestsOk,
		executionsByStatus,
		successfulExecutions,
		exactlyOnce: successfulExecutions === requestsSent && executions.length === requestsSent && requestsOk === requestsSent,
	};
}

/** The workflow's executions that a request started: the payment workflow's hourly reconcile may run during a bench (trigger mode). */
export async function webhookExecutions(n8n: N8n, workflowId: string): Promise<N8nExecution[]> {
	return (await n8n.api.listExecutions({ workflowId })).filter((e) => e.mode === 'webhook');
}

/** The hotel database's view of (a): one completed claim and one paid reservation per request. */
export async function countRows(setup: BenchSetup, requestsSent: number): Promise<DatabaseCount | undefined> {
	// The embedded database is opened by n8n's process only; PGlite admits no second reader.
	if (setup.variant.database !== 'postgres') return undefined;
	const rows = await countDatabaseRows(setup.database);
	// With Redis as the event store, processed_events stays empty by design.
	const claimsInDb = setup.variant.eventStore === 'database';
	return {
		claimsDone: claimsInDb ? rows.claimsDone : null,
		claimsNotDone: claimsInDb ? rows.claimsOther : null,
		reservationsPaid: rows.reservationsPaid,
		matchesRequests: rows.reservationsPaid === requestsSent && (!claimsInDb || (rows.claimsDone === requestsSent && rows.claimsOther === 0)),
	};
}
