// `npm run host:install`: install (or find) the pinned n8n host and print where it is.
import { ensureHost } from './host';

console.log(JSON.stringify(ensureHost(), null, 2));
