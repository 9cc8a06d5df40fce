/**
 * Starting and stopping the peers' HTTP servers (and the small receivers their tests run): bound to
 * 127.0.0.1 only, and stopped without waiting for clients' keep-alive or held sockets; and reading
 * a request body up to a limit.
 */
import type http from 'node:http';

/** Listens on 127.0.0.1 (`port` 0: any free one) and resolves with the port; rejects if it cannot listen there. */
export function listenOnLoopback(server: http.Server, port = 0): Promise<number> {
	return new Promise<number>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve((server.address() as { port: number }).port);
		});
	});
}

/** Closes the server and ends its open sockets, which would otherwise keep close() waiting. */
export function closeServer(server: http.Server): Promise<void> {
	return new Promise<void>((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

export interface LimitedBody {
	/** undefined when over the limit (the rest was read and dropped, so the client sees the answer). */
	text?: string;
	bytes: number;
}

/** Reads the whole request body as UTF-8, keeping it only when it is at most `maxBytes` long. */
export function readLimitedBody(req: http.IncomingMessage, maxBytes: number): Promise<LimitedBody> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let bytes = 0;
		req.on('data', (chunk: Buffer) => {
			bytes += chunk.length;
			if (bytes <= maxBytes) chunks.push(chunk);
		});
		req.on('end', () => resolve({ text: bytes <= maxBytes ? Buffer.concat(chunks).toString('utf8') : undefined, bytes }));
		req.on('error', reject);
	});
}
