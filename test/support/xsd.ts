/**
 * Validates OpenTravel messages against the 2015B schemas with xmllint (libxml2-utils). The schemas
 * live in shared/ beside the repository (a CI clone has shared/ next to it too), and the schema is
 * chosen by the message's root element, as ../shared/ota-xsd/README.md describes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const OTA_XSD_DIR = path.resolve(__dirname, '../../../shared/ota-xsd/2015B');

export interface XsdVerdict {
	ok: boolean;
	errors: string[];
}

/** Local name of the root element, skipping the declaration and comments. */
export function rootElementName(xml: string): string {
	const withoutProlog = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
	const match = /<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(withoutProlog);
	if (!match) throw new Error('no root element found');
	return match[1];
}

function schemaFor(root: string): string {
	const schema = path.join(OTA_XSD_DIR, `${root}.xsd`);
	if (!existsSync(schema)) throw new Error(`no schema ${root}.xsd in ${OTA_XSD_DIR}`);
	return schema;
}

/** Whether messages can be checked here: the schemas beside the clone and xmllint on the PATH (a lone clone of `npm start` may have neither). */
export function canValidateOta(): boolean {
	return existsSync(OTA_XSD_DIR) && spawnSync('xmllint', ['--version']).status === 0;
}

export function validateOta(xml: string): XsdVerdict {
	const result = spawnSync('xmllint', ['--noout', '--schema', schemaFor(rootElementName(xml)), '-'], { input: xml, encoding: 'utf8' });
	if (result.error) throw result.error;
	const errors = result.stderr.split('\n').filter((line) => line.trim() !== '' && !/ validates$/.test(line));
	return { ok: result.status === 0, errors };
}

/** Many messages, one xmllint run per schema (the property tests build hundreds). */
export function validateOtaMany(messages: string[]): XsdVerdict[] {
	const dir = mkdtempSync(path.join(tmpdir(), 'ota-xsd-'));
	try {
		const files = messages.map((xml, index) => {
			const file = path.join(dir, `m${index}.xml`);
			writeFileSync(file, xml);
			return { file, root: rootElementName(xml) };
		});
		const verdicts: XsdVerdict[] = messages.map(() => ({ ok: false, errors: [] }));
		for (const root of new Set(files.map((each) => each.root))) {
			const group = files.map((each, index) => ({ ...each, index })).filter((each) => each.root === root);
			const result = spawnSync('xmllint', ['--noout', '--schema', schemaFor(root), ...group.map((each) => each.file)], {
				encoding: 'utf8',
				maxBuffer: 64 * 1024 * 1024,
			});
			if (result.error) throw result.error;
			for (const { file, index } of group) {
				const lines = result.stderr.split('\n').filter((line) => line.startsWith(file));
				verdicts[index] = { ok: lines.some((line) => line === `${file} validates`), errors: lines.filter((line) => line !== `${file} validates`) };
			}
		}
		return verdicts;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
