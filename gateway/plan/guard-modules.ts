// The guardrails modules (guardrails/guard.ts, request.ts, gateway-adapter.ts) are loaded the first time a
// config has a tenant whose guardrails do something: importing them compiles the built-in secret ruleset and
// the injection scorer's patterns (~75 MB of RSS, most of it native RE2). A gateway whose tenants have no
// guardrails never pays for them. Loading happens at config load (plugins/config-events.ts) and, should a
// request get there first, in admission before anything is reserved (stages/admit.ts).
import type { CfgGuardrails } from '../../api/gateway-config.ts';
import type * as AdapterModule from '../../guardrails/gateway-adapter.ts';
import type * as GuardModule from '../../guardrails/guard.ts';
import type * as RequestModule from '../../guardrails/request.ts';
import type { OutputTransformFactory } from '../transform.ts';

export interface GuardrailsModules {
  readonly guard: typeof GuardModule;
  readonly request: typeof RequestModule;
  readonly adapter: typeof AdapterModule;
}

let loaded: GuardrailsModules | undefined;
let loading: Promise<GuardrailsModules> | undefined;

/** The modules when they are loaded (undefined before the first `loadGuardrails()` resolved). */
export function guardrailsModules(): GuardrailsModules | undefined {
  return loaded;
}

export function loadGuardrails(): Promise<GuardrailsModules> {
  loading ??= Promise.all([
    import('../../guardrails/guard.ts'),
    import('../../guardrails/request.ts'),
    import('../../guardrails/gateway-adapter.ts'),
  ]).then(([guard, request, adapter]) => (loaded = { guard, request, adapter }));
  return loading;
}

/** Nothing on the request side: no tool allowlist and prompt injection off (guardrails/request.ts admits all). */
export function requestChecksInert(cfg: CfgGuardrails): boolean {
  return cfg.allowedTools === undefined && cfg.promptInjection.mode === 'off';
}

/**
 * Guardrails that change nothing, so the modules are not needed for them: no redaction, canaries, exfiltration,
 * structured output, output check, tool allowlist or prompt-injection check. The compiled guard of such a
 * config has no output rules and a redactor that returns its input (guard-modules.test.ts checks it against
 * the real modules).
 */
export function guardrailsInert(cfg: CfgGuardrails): boolean {
  return (
    requestChecksInert(cfg) &&
    cfg.redaction.detectors.length === 0 &&
    cfg.redaction.customPatterns.length === 0 &&
    cfg.canaries.length === 0 &&
    cfg.exfiltration.mode === 'off' &&
    !cfg.structuredOutput.enforce &&
    (cfg.outputCheck === undefined || cfg.outputCheck.mode === 'off')
  );
}

/**
 * The gateway's output-guardrails transform (guardrails/gateway-adapter.ts), created from the loaded modules:
 * none for a tenant whose guardrails are inert (the adapter creates none either).
 */
export function lazyGuardrailsTransform(hooks: AdapterModule.GuardTransformHooks): OutputTransformFactory {
  let inner: OutputTransformFactory | undefined;
  return {
    name: 'guardrails',
    create(ctx) {
      if (guardrailsInert(ctx.tenant.guardrails)) return undefined;
      // admission loaded them for this tenant's guard (stages/admit.ts); never serve unguarded output
      if (!loaded) throw new Error('guardrails modules are not loaded');
      inner ??= loaded.adapter.guardrailsTransform(hooks);
      return inner.create(ctx);
    },
  };
}
