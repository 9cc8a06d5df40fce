/**
 * Every node's codex file (nodes/<Name>/<Name>.node.json, emitted beside the built node by tsc):
 * it names the node, puts it in n8n's panel categories, lets "hotel" and the partner's name find it,
 * and links to the node's own README section.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const slugs = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => heading.toLowerCase().trim().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
const CATEGORIES = ['Analytics', 'Communication', 'Data & Storage', 'Development', 'Finance & Accounting', 'Marketing', 'Miscellaneous', 'Productivity', 'Sales', 'Utility'];
const nodeDirs = readdirSync(path.join(root, 'nodes')).filter((d) => d !== 'shared');

it('is emitted with the build (tsconfig includes the nodes JSON)', () => {
	expect(JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).include).toContain('nodes/**/*.json');
});

describe.each(nodeDirs)('%s', (dir) => {
	const codex = JSON.parse(readFileSync(path.join(root, 'nodes', dir, `${dir}.node.json`), 'utf8'));
	const source = readFileSync(path.join(root, 'nodes', dir, `${dir}.node.ts`), 'utf8');
	const name = /\bname: '([A-Za-z]+)'/.exec(source)?.[1];

	it('names its node and sits in n8n categories', () => {
		expect(codex.node).toBe(`n8n-nodes-hotel-integrations.${name}`);
		expect(codex.categories.length).toBeGreaterThan(0);
		expect(codex.categories.filter((c: string) => !CATEGORIES.includes(c))).toEqual([]);
	});

	it('is found by "hotel" and links to its README section', () => {
		expect(codex.alias).toContain('hotel');
		const url = codex.resources.primaryDocumentation[0].url as string;
		expect(url).toMatch(/^https:\/\/github\.com\/hotel-integrations\/n8n-nodes-hotel-integrations#/);
		expect(slugs.has(url.split('#')[1])).toBe(true);
	});
});
