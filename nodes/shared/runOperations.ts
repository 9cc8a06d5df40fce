/**
 * The one item loop of our action nodes: for each input item, look up `<resource>.<operation>`,
 * run it, log it with structured fields, keep pairedItem, and on failure either throw a node error
 * (translated from our errors by nodeErrors.ts, as the polling triggers do too)
 * or — with "Continue On Fail" / an error output — emit `{ error, details }`, the shape n8n routes
 * to a node's error output (details: statusCode, code, field for an API answer).
 *
 * An operation may also have a batch form, used when every item asks for that operation: each
 * item is prepared on its own (a bad one fails alone, and without Continue On Fail stops the node
 * before anything is written), then all prepared items are committed in one call — one database
 * statement for an execution's items instead of one per item. Each item still gets its own output
 * or error, logged and paired the same way.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { usePartnerLogger } from '../../lib/resilience/policy';
import { describeError } from './nodeErrors';

export type Operation<C> = (ctx: C) => Promise<IDataObject>;

export interface BatchOperation<C, P = unknown> {
	/** Checks and builds one item's part (throws for a bad item). */
	prepare: (ctx: C) => P;
	/** Does all prepared parts at once; one output per part, in the same order. */
	commit: (parts: P[], ctx: C) => Promise<IDataObject[]>;
}

type Settled = { json: IDataObject } | { error: unknown };

export interface OperationsSpec<C> {
	node: string;
	operations: Record<string, Operation<C>>;
	/** Batch forms of some operations, used when every item asks for the same one. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each batch has its own part type
	batches?: Record<string, BatchOperation<C, any>>;
	/** Builds the context of one item (clients shared across items live in the caller's closure). */
	context: (i: number) => C;
	/** Checks run before every operation (e.g. the card guard). */
	before?: (i: number) => void;
	/** Extra log fields for a finished operation. */
	logFields?: (json: IDataObject, i: number) => IDataObject;
	/** For a node with more than one output: how many, and which one each result goes to (errors go to the first). */
	outputs?: { count: number; of: (json: IDataObject) => number };
}

export async function runOperations<C>(fn: IExecuteFunctions, spec: OperationsSpec<C>): Promise<INodeExecutionData[][]> {
	usePartnerLogger(fn.logger); // retries and breaker changes of partner calls go to n8n's log
	const byOutput: INodeExecutionData[][] = Array.from({ length: spec.outputs?.count ?? 1 }, () => []);
	const results = byOutput[0];
	const items = fn.getInputData();
	const operations = items.map((_, i) => `${fn.getNodeParameter('resource', i)}.${fn.getNodeParameter('operation', i)}`);

	const settle = (i: number, outcome: Settled, started: number) => {
		const operation = operations[i];
		if ('json' in outcome) {
			fn.logger.info(`${spec.node} operation done`, { operation, item: i, durationMs: Date.now() - started, ...spec.logFields?.(outcome.json, i) });
			byOutput[spec.outputs?.of(outcome.json) ?? 0].push({ json: outcome.json, pairedItem: { item: i } });
			return;
		}
		const { nodeError, details } = describeError(fn.getNode(), outcome.error, i);
		fn.logger.warn(`${spec.node} operation failed`, { operation, item: i, error: nodeError.message, code: details.code });
		if (!fn.continueOnFail()) throw nodeError;
		results.push({ json: { error: nodeError.message, details: details as unknown as IDataObject }, pairedItem: { item: i } });
	};

	const batch = spec.batches?.[operations[0]];
	if (batch && items.length > 1 && operations.every((o) => o === operations[0])) {
		const started = Date.now();
		const outcomes: Settled[] = [];
		const parts: { i: number; part: unknown }[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				spec.before?.(i);
				parts.push({ i, part: batch.prepare(spec.context(i)) });
			} catch (error) {
				outcomes[i] = { error };
				if (!fn.continueOnFail()) settle(i, outcomes[i], started); // throws: nothing was written
			}
		}
		if (parts.length > 0) {
			try {
				const done = await batch.commit(parts.map((p) => p.part), spec.context(parts[0].i));
				parts.forEach((p, n) => (outcomes[p.i] = { json: done[n] }));
			} catch (error) {
				for (const p of parts) outcomes[p.i] = { error };
			}
		}
		for (let i = 0; i < items.length; i++) settle(i, outcomes[i], started);
		return byOutput;
	}

	for (let i = 0; i < items.length; i++) {
		const started = Date.now();
		const run = spec.operations[operations[i]];
		let outcome: Settled;
		try {
			if (!run) throw new NodeOperationError(fn.getNode(), `Unknown operation ${operations[i]}`, { itemIndex: i });
			spec.before?.(i);
			outcome = { json: await run(spec.context(i)) };
		} catch (error) {
			outcome = { error };
		}
		settle(i, outcome, started);
	}
	return byOutput;
}
