/**
 * itemParameter reads `={{ $json.path }}` parameters straight from the item. It must give what
 * n8n's own expression resolution gives (n8n-workflow's Workflow, evaluating here without an
 * isolate), and leave everything that is not a plain path to n8n.
 */
import { Workflow, type IExecuteFunctions, type INodeExecutionData, type INodeTypes } from 'n8n-workflow';
import { itemParameter } from '../../nodes/shared/itemParameter';

const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

const items: INodeExecutionData[] = [
	{ json: { body: { roomType: 'DBL', guest: { name: 'Zoë « O\'Brien »' } }, query: { adults: null, roomType: 'FAM', s: 'abc', list: [1, 2] }, id: "R-1'; DROP TABLE x;--", zero: 0, empty: '' } },
	{ json: { body: 'not an object', query: {} } },
];

function contexts(parameters: Record<string, unknown>) {
	const node = { id: '1', name: 'Node', type: 'x', typeVersion: 1, position: [0, 0] as [number, number], parameters };
	const workflow = new Workflow({ nodes: [{ ...node, parameters: {} }], connections: {}, active: false, nodeTypes });
	const byEngine = (name: string, i: number) => workflow.expression.getParameterValue(parameters[name] as string, null, 0, i, node.name, items, 'manual', {});
	const engineCalls: string[] = [];
	const fn = {
		getNode: () => node,
		getInputData: () => items,
		getNodeParameter: (name: string, i: number) => {
			engineCalls.push(name);
			return byEngine(name, i);
		},
	} as unknown as IExecuteFunctions;
	return { fn, byEngine, engineCalls };
}

/** A value or the error it threw: n8n's refusals (e.g. `constructor`) must stay refusals. */
function outcome(read: () => unknown): { value?: unknown; error?: string } {
	try {
		return { value: read() };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

const PATHS = [
	'={{ $json.body }}',
	'={{ $json.body.guest.name }}',
	'={{ $json.query.roomType ?? \'\' }}',
	'={{ $json.query.adults ?? 1 }}',
	'={{ $json.query.missing ?? "x" }}',
	'={{ $json.query.missing ?? -2.5 }}',
	'={{ $json.id }}',
	'={{ $json.zero ?? 7 }}',
	'={{ $json.empty ?? \'y\' }}',
	'={{$json.query}}',
	'={{ $json.nothing }}',
	'={{ $json.reservation ?? $json }}',
	'={{ $json.body ?? $json }}',
];
const NOT_PATHS = [
	'={{ $json.body.roomType.toLowerCase() }}',
	'={{ $json.query.s.length }}',
	'={{ $json.query.list.length }}',
	'={{ $json.missing.deeper }}',
	'={{ $json.body.constructor }}',
	'={{ $json["body"] }}',
	'={{ $json.query.adults || 3 }}',
	'=R-{{ $json.id }}',
	'plain text',
];

describe('itemParameter', () => {
	it.each(PATHS)('reads %s from the item, as n8n would', (expression) => {
		const { fn, byEngine, engineCalls } = contexts({ p: expression });
		for (const i of [0, 1]) {
			let expected: unknown;
			try {
				expected = byEngine('p', i);
			} catch {
				continue; // a path into a string (item 1's body) is the engine's to answer: checked below
			}
			expect(itemParameter(fn, 'p', i)).toEqual(expected);
		}
		expect(engineCalls.filter((n) => n === 'p').length).toBeLessThanOrEqual(1);
	});

	it.each(NOT_PATHS)('leaves %s to n8n', (expression) => {
		const { fn, byEngine, engineCalls } = contexts({ p: expression });
		expect(outcome(() => itemParameter(fn, 'p', 0))).toEqual(outcome(() => byEngine('p', 0)));
		expect(engineCalls).toEqual(['p']);
	});

	it('hands out a copy: changing what it returned does not change the item', () => {
		const { fn } = contexts({ p: '={{ $json.body }}' });
		const body = itemParameter(fn, 'p', 0) as { roomType: string };
		body.roomType = 'changed';
		expect((items[0].json.body as { roomType: string }).roomType).toBe('DBL');
	});

	it('reads the path without the engine for every item of the shipped workflows', () => {
		const { fn, engineCalls } = contexts({ p: '={{ $json.query.roomType ?? \'\' }}' });
		expect(itemParameter(fn, 'p', 0)).toBe('FAM');
		expect(itemParameter(fn, 'p', 1)).toBe('');
		expect(engineCalls).toEqual([]);
	});
});
