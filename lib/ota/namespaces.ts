/**
 * The namespace of the OTA element of a message: the root, or the one element in a SOAP Body.
 * The XML reader drops namespace prefixes (channels prefix freely: ota:, ns1:, none), so a message
 * named like an OTA message in another namespace would pass for one; this reads the start tags
 * (only those before the OTA element: the root, or Envelope, Header and Body) to tell.
 * Runs on text the XML validator has already accepted as well-formed.
 */

/** Comments, processing instructions, CDATA and end tags, or a start tag (name, attributes, "/" if empty). */
// Names are any characters XML allows in them (not only ASCII): a start tag missed here would put the path out of step with its end tag.
const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<\/[^>]*>|<([^\s/>!?'"=:]+(?::[^\s/>!?'"=:]+)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

type Scope = Map<string, string>;

/**
 * The namespace URI of the OTA element ('' when it is in no namespace), or undefined when the text
 * has no such element (the parser reports that itself).
 */
export function otaElementNamespace(xml: string): string | undefined {
	const scopes: Scope[] = [new Map()];
	const path: string[] = [];
	TOKEN.lastIndex = 0;
	for (let token = TOKEN.exec(xml); token; token = TOKEN.exec(xml)) {
		const [whole, qualifiedName, attributes, empty] = token;
		if (qualifiedName === undefined) {
			if (whole.startsWith('</')) {
				path.pop();
				scopes.pop();
			}
			continue;
		}
		const scope = declare(scopes[scopes.length - 1], attributes);
		const colon = qualifiedName.indexOf(':');
		const localName = colon < 0 ? qualifiedName : qualifiedName.slice(colon + 1);
		const prefix = colon < 0 ? '' : qualifiedName.slice(0, colon);
		const depth = path.length;
		// The OTA element: the root, unless the root is a SOAP Envelope; then Body's first element.
		const isOtaElement = (depth === 0 && localName !== 'Envelope') || (depth === 2 && path[0] === 'Envelope' && path[1] === 'Body');
		if (isOtaElement) return scope.get(prefix) ?? '';
		if (empty) continue;
		path.push(localName);
		scopes.push(scope);
	}
	return undefined;
}

/** The scope inside an element: its parent's, plus its own xmlns declarations. */
function declare(parent: Scope, attributes: string): Scope {
	if (!attributes.includes('xmlns')) return parent;
	const scope = new Map(parent);
	ATTRIBUTE.lastIndex = 0;
	for (let match = ATTRIBUTE.exec(attributes); match; match = ATTRIBUTE.exec(attributes)) {
		const [, name, double, single] = match;
		if (name === 'xmlns') scope.set('', double ?? single ?? '');
		else if (name.startsWith('xmlns:')) scope.set(name.slice(6), double ?? single ?? '');
	}
	return scope;
}
