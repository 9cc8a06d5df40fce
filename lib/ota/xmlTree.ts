/**
 * Reading a parsed XML tree leniently: a missing element is an empty list or undefined, never a
 * crash, because real channels leave out elements the schema calls required.
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
	return children(node, name)[0];
}

/** The first element along a path of child names. */
export function descend(node: XmlNode | undefined, ...names: string[]): XmlNode | undefined {
	let current = node;
	for (const name of names) current = child(current, name);
	return current;
}

/** All elements along a path, fanning out over repeated elements at every step. */
export function descendAll(node: XmlNode | undefined, ...names: string[]): XmlNode[] {
	let current: XmlNode[] = node ? [node] : [];
	for (const name of names) current = current.flatMap((each) => children(each, name));
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
	const parts = [node['#text'], node['#cdata']].flat().filter((part): part is string => typeof part === 'string');
	const joined = parts.join('').trim();
	return joined === '' ? undefined : joined;
}
