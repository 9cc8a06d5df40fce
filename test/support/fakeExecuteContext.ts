/**
 * n8n does not publish its node test harness, so node tests use this small stand-in for
 * IExecuteFunctions: parameters per item (plain values, no expressions), credentials by type,
 * continueOnFail, and a logger that records what nodes log (to check no secret is logged).
 * Anything the nodes use from n8n-workflow itself (NodeOperationError, ...) is the real thing.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

export interface FakeRun {
	node: { type: string; parameters: Record<string, unknown> };
	/** One parameter set per input item. */
	items: Array<Record<string, unknown>>;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	continueOnFail?: boolean;
}

export function fakeExecuteContext(run: FakeRun): { ctx: IExecuteFunctions; logs: string[] } {
	const logs: string[] = [];
	const log = (level: string) => (message: string, meta?: unknown) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
	const node: INode = {
		id: 'node-1',
		name: 'Node Under Test',
		type: run.node.type,
		typeVersion: 1,
		position: [0, 0],
		parameters: run.node.parameters as INode['parameters'],
	};
	const ctx = {
		getNode: () => node,
		getInputData: (): INodeExecutionData[] => run.items.map(() => ({ json: {} })),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value = run.items[itemIndex]?.[name] ?? run.node.parameters[name];
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		getCredentials: async (type: string) => {
			const c = run.credentials?.[type];
			if (!c) throw new Error(`Node does not have credentials of type ${type}`);
			return c;
		},
		continueOnFail: () => run.continueOnFail ?? false,
		logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
	};
	return { ctx: ctx as unknown as IExecuteFunctions, logs };
}
