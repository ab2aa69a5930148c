// Stacked auth, layers 1-2 (identity, account), the key's scope for the route's endpoint (layer 4) and the
// time-and-place part of layer 5 (access window, IP allowlist), as an onRequest hook routes opt into: before the
// body is read, so a caller these refuse cannot make the gateway read or parse one. Entitlement needs the body
// (the model) and runs in the pipeline's plan stage (which checks scope, time and place again).
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { authenticate, checkAccount, checkContext, checkScope } from '../auth.ts';
import type { Scope } from '../../api/v1alpha1/model.ts';
import { GatewayError } from '../errors.ts';
import type { AnomalyHooks } from '../stages/anomaly.ts';
import type { RevocationCache } from '../store/revocations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook: the snapshot is there, and (with enforcement) the key and its account are good, the key may
     * call `scope` (when given: the route's endpoint), and the access window and IP allowlist admit it.
     */
    identify(request: FastifyRequest, scope?: Scope): Promise<void>;
  }
}

export interface AuthOptions {
  readonly enforcement: boolean;
  readonly revocations: RevocationCache;
  /** A known key refused by the access window or IP allowlist feeds anomaly detection. */
  readonly anomaly?: AnomalyHooks | undefined;
}

const auth: FastifyPluginAsync<AuthOptions> = async (app, { enforcement, revocations, anomaly }) => {
  // the first read of the revocation set completes before the port serves
  app.addHook('onReady', async () => {
    await revocations.refresh();
  });
  app.decorate('identify', async (request: FastifyRequest, scope?: Scope): Promise<void> => {
    const ctx = request.tg;
    if (!ctx.snap) throw new GatewayError('not_ready');
    if (!enforcement) return;
    const key = authenticate(ctx.snap, request.headers.authorization, Date.now(), revocations);
    ctx.key = key;
    ctx.rec.tenant = key.tenant.cfg.id;
    ctx.rec.keyId = key.id;
    checkAccount(key);
    try {
      if (scope !== undefined) checkScope(key, scope);
      checkContext(key, request.ip, Date.now());
    } catch (e) {
      anomaly?.onAuthFailure(ctx, key, e);
      throw e;
    }
  });
};

/** Shared (fastify-plugin): the routes use `app.identify`. */
export const authPlugin = fp(auth, { name: 'tollgate-auth', dependencies: ['tollgate-context'] });
