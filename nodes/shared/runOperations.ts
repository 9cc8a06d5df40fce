/**
 * The one item loop of our action nodes: for each input item, look up `<resource>.<operation>`,
 * run it, log it with structured fields, keep pairedItem, and on failure either throw a node error
 * or — with "Continue On Fail" / an error output — emit `{ error, details }`, the shape n8n routes
 * to a node's error output (details: statusCode, code, field for an API answer).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { usePartnerLogger } from '../../lib/resilience/policy';

export type Operation<C> = (ctx: C) => Promise<IDataObject>;

export interface ErrorDetails {
	statusCode: number;
	code: string;
	field: string | null;
}

export interface OperationsSpec<C> {
	node: string;
	operations: Record<string, Operation<C>>;
	/** Builds the context of one item (clients shared across items live in the caller's closure). */
	context: (i: number) => C;
	/** Checks run before every operation (e.g. the card guard). */
	before?: (i: number) => void;
	/** The node error and API details for what an operation threw. */
	describeError: (error: unknown, i: number) => { nodeError: Error; details: ErrorDetails };
	/** Extra log fields for a finished operation. */
	logFields?: (json: IDataObject, i: number) => IDataObject;
}

export async function runOperations<C>(fn: IExecuteFunctions, spec: OperationsSpec<C>): Promise<INodeExecutionData[][]> {
	usePartnerLogger(fn.logger); // retries and breaker changes of partner calls go to n8n's log
	const results: INodeExecutionData[] = [];
	const items = fn.getInputData();
	for (let i = 0; i < items.length; i++) {
		const operation = `${fn.getNodeParameter('resource', i)}.${fn.getNodeParameter('operation', i)}`;
		try {
			const run = spec.operations[operation];
			if (!run) throw new NodeOperationError(fn.getNode(), `Unknown operation ${operation}`, { itemIndex: i });
			spec.before?.(i);
			const started = Date.now();
			const json = await run(spec.context(i));
			fn.logger.info(`${spec.node} operation done`, { operation, item: i, durationMs: Date.now() - started, ...spec.logFields?.(json, i) });
			results.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const { nodeError, details } = spec.describeError(error, i);
			fn.logger.warn(`${spec.node} operation failed`, { operation, item: i, error: nodeError.message, code: details.code });
			if (!fn.continueOnFail()) throw nodeError;
			results.push({ json: { error: nodeError.message, details: details as unknown as IDataObject }, pairedItem: { item: i } });
		}
	}
	return [results];
}
