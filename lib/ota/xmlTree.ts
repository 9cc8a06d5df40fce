/**
 * Reading a parsed XML tree leniently: a missing element is an empty list or undefined, never a
 * crash, because real channels leave out elements the schema calls required.
 *
 * These run for every fact read out of every message (a 1,000-reservation pull calls them some
 * 100,000 times), so they are written as plain loops that allocate only what they return.
 */
import type { XmlNode, XmlValue } from './types';

/** Element content as a node: a text-only element "x" becomes { "#text": "x" }. */
export function asNode(value: XmlValue | undefined): XmlNode {
	if (value === undefined) return {};
	if (typeof value === 'string') return value === '' ? {} : { '#text': value };
	if (Array.isArray(value)) return asNode(value[0]);
	return value;
}

/** All child elements called `name` (none, one or many). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
	const value = node?.[name];
	if (value === undefined) return [];
	return Array.isArray(value) ? value.map(asNode) : [asNode(value)];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
	const value = node?.[name];
	if (value === undefined) return undefined;
	return asNode(Array.isArray(value) ? value[0] : value);
}

/** The first element along a path of child names. */
export function descend(node: XmlNode | undefined, ...names: string[]): XmlNode | undefined {
	let current = node;
	for (let i = 0; i < names.length && current !== undefined; i++) current = child(current, names[i]);
	return current;
}

/** All elements along a path, fanning out over repeated elements at every step. */
export function descendAll(node: XmlNode | undefined, ...names: string[]): XmlNode[] {
	if (node === undefined) return [];
	let current: XmlNode[] = [node];
	for (const name of names) {
		const next: XmlNode[] = [];
		for (const each of current) {
			const value = each[name];
			if (value === undefined) continue;
			if (Array.isArray(value)) for (const item of value) next.push(asNode(item));
			else next.push(asNode(value));
		}
		if (next.length === 0) return [];
		current = next;
	}
	return current;
}

/** An attribute's value, trimmed; blank counts as absent. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
	const value = node?.[`@_${name}`];
	if (typeof value !== 'string') return undefined;
	const trimmed = value.trim();
	return trimmed === '' ? undefined : trimmed;
}

/** An element's text (its text and CDATA), trimmed; blank counts as absent. */
export function text(node: XmlNode | undefined): string | undefined {
	if (!node) return undefined;
	const plain = node['#text'];
	const cdata = node['#cdata'];
	// The common cases (text and no CDATA; no text at all) without building a list.
	if (cdata === undefined && plain === undefined) return undefined;
	const joined = cdata === undefined && typeof plain === 'string' ? plain.trim() : joinTexts(plain, cdata);
	return joined === '' ? undefined : joined;
}

function joinTexts(...values: Array<XmlValue | undefined>): string {
	return values
		.flat()
		.filter((part): part is string => typeof part === 'string')
		.join('')
		.trim();
}
