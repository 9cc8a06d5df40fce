/**
 * The shipped workflows as n8n will take them: unique node ids and names (n8n refuses an import
 * with a duplicate id), connections only between nodes that exist, and only node types that n8n or
 * this package provides.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.join(__dirname, '..', '..', 'workflows');
const ours = new Set(
	(JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).n8n.nodes as string[]).map(
		(file) => `n8n-nodes-hotel-integrations.${path.basename(file, '.node.js').replace(/^./, (c) => c.toLowerCase())}`,
	),
);
interface Workflow {
	nodes: Array<{ id: string; name: string; type: string }>;
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

describe.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s', (file) => {
	const workflow = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow;

	it('has unique node ids and names', () => {
		const ids = workflow.nodes.map((n) => n.id);
		const names = workflow.nodes.map((n) => n.name);
		expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
		expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
	});

	it('connects only nodes that exist, and uses only node types n8n or this package provides', () => {
		const names = new Set(workflow.nodes.map((n) => n.name));
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names.has(from)).toBe(true);
			for (const target of outputs.main.flat()) expect(names.has(target.node)).toBe(true);
		}
		for (const node of workflow.nodes) {
			expect(node.type.startsWith('n8n-nodes-base.') || ours.has(node.type) ? node.type : `unknown: ${node.type}`).toBe(node.type);
		}
	});
});
