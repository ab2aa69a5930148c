// Stacked auth, layers 1-2 (identity, account), as an onRequest hook routes opt into: before the body is
// read, so an unauthenticated caller cannot make the gateway read or parse one. Layers 3-5 need the body
// (model, endpoint) and run in the pipeline's plan stage.
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { authenticate, checkAccount } from '../auth.ts';
import { GatewayError } from '../errors.ts';
import type { RevocationCache } from '../store/revocations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: the snapshot is there, and (with enforcement) the key and its account are good. */
    identify(request: FastifyRequest): Promise<void>;
  }
}

export interface AuthOptions {
  readonly enforcement: boolean;
  readonly revocations: RevocationCache;
}

const auth: FastifyPluginAsync<AuthOptions> = async (app, { enforcement, revocations }) => {
  // the first read of the revocation set completes before the port serves
  app.addHook('onReady', async () => {
    await revocations.refresh();
  });
  app.decorate('identify', async (request: FastifyRequest): Promise<void> => {
    const ctx = request.tg;
    if (!ctx.snap) throw new GatewayError('not_ready');
    if (!enforcement) return;
    const key = authenticate(ctx.snap, request.headers.authorization, Date.now(), revocations);
    ctx.key = key;
    ctx.rec.tenant = key.tenant.cfg.id;
    ctx.rec.keyId = key.id;
    checkAccount(key);
  });
};

/** Shared (fastify-plugin): the routes use `app.identify`. */
export const authPlugin = fp(auth, { name: 'tollgate-auth', dependencies: ['tollgate-context'] });
