// Types of serve.mjs, for the TypeScript tests that serve the playground.
import type { Server } from "node:http";
/** Serves `root` on 127.0.0.1:port (0: any free port) with COOP/COEP headers. */
export declare function servePlayground(root?: string, port?: number): Promise<{ server: Server; url: string }>;
