/**
 * n8n settings this project ships (npm start, the tests, docker/compose*.yml) because the hotel's
 * workflows run faster with them; README "n8n settings" says the same for hotel IT's own n8n.
 * n8n 2.41 evaluates expressions in isolated-vm sandboxes and builds a new one for every execution
 * and every community-node webhook (tens of ms of CPU each, more than our nodes' own work):
 *  - LAZY_ACQUIRE: build it only when the execution evaluates an expression. Our triggers (version
 *    2) and the shipped workflows' hot paths evaluate none (nodes/shared/itemParameter.ts), so a
 *    payment webhook or a booking-engine request then builds none.
 *  - COMPILE_CACHE: when one is built, reuse V8's compiled code of the sandbox's runtime instead of
 *    parsing it again.
 * Both keep every expression in its sandbox: they change when the sandbox is paid for, not what runs in it.
 *  - NODE_ENV=production (the official image's own): outside it, n8n's error answers (a webhook
 *    body that is not JSON, say) carry a stack trace with the install's paths to any caller.
 */
export const SHIPPED_N8N_SETTINGS: Readonly<Record<string, string>> = {
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
	N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true',
	NODE_ENV: 'production',
};
