// Readiness, and the admin port's handler (/metrics, /healthz, /readyz with full detail). The admin port is
// a plain node:http listener (server.ts) kept off the tenant network; the tenant port's /readyz says less.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigHolder } from '../config/holder.ts';
import type { Metrics } from '../metrics.ts';
import type { RevocationCache } from '../store/revocations.ts';
import type { Store } from '../store/types.ts';

export interface Readiness {
  ready: boolean;
  detail: Record<string, unknown>;
}

export interface AdminOptions {
  readonly holder: ConfigHolder;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly revocations: RevocationCache;
  readonly enforcement: boolean;
}

export function readiness(o: Omit<AdminOptions, 'metrics' | 'revocations'>): () => Promise<Readiness> {
  return async () => {
    const snap = o.holder.current;
    const storeOk = await o.store.ping();
    const err = o.holder.lastError;
    const ready = snap !== undefined && storeOk;
    return {
      ready,
      detail: {
        status: ready ? 'ready' : 'not ready',
        config: snap
          ? {
              hash: snap.hash,
              loadedAt: snap.loadedAt.toISOString(),
              source: o.holder.source,
              tenants: snap.tenantCount,
              models: snap.models.size,
            }
          : null,
        // no config text here (issue #10, item 4): the reason is in the scrubbed config_refused log line
        lastReloadError: err
          ? { source: err.source, at: err.at.toISOString(), detail: 'see the config_refused log line' }
          : null,
        store: { kind: o.store.kind, reachable: storeOk, state: o.store.health() },
        enforcement: o.enforcement,
      },
    };
  };
}

export function adminHandler(
  o: AdminOptions,
  ready: () => Promise<Readiness>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      o.metrics.revokedKeys.set(o.revocations.size);
      o.metrics.registry.metrics().then(
        (text) => send(200, o.metrics.registry.contentType, text),
        () => send(500, 'text/plain', 'metrics unavailable\n'),
      );
      return;
    }
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      ready().then(
        (r) => send(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r.detail)}\n`),
        () => send(503, 'application/json', '{"status":"not ready"}\n'),
      );
      return;
    }
    send(404, 'text/plain', 'not found\n');
  };
}
