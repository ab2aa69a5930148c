// LLMPolicy: cluster-scoped; what tenants get and which guardrails apply.
import { z } from 'zod';
import {
  API_VERSION,
  atomicList,
  Conditions,
  describe,
  dnsLabel,
  HHMM_RE,
  LabelSelector,
  mapList,
  ObjectMeta,
  setList,
  withRules,
} from '../meta.ts';
import { Budget, RateLimits, RequestLimits } from './budget.ts';

/** `namespace/name` of an LLMTenant. */
export const TENANT_REF_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const TIER_OR_ANY_RE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

export const PolicySelector = z.strictObject({
  namespaces: describe(setList(z.array(dnsLabel()).max(1000)).optional(), 'Tenant namespaces selected by name.'),
  namespaceSelector: describe(LabelSelector.optional(), 'Tenant namespaces selected by label.'),
  tenants: describe(
    setList(
      z
        .array(z.string().max(317).regex(TENANT_REF_RE, { message: 'must be "namespace/name" of an LLMTenant' }))
        .max(1000),
    ).optional(),
    'LLMTenants selected by namespace/name.',
  ),
  tenantSelector: describe(
    LabelSelector.optional(),
    'LLMTenants selected by label. The tenant team writes these labels: a policy that grants tiers or suspends cannot select by them.',
  ),
  tiers: describe(
    setList(z.array(dnsLabel()).max(64)).optional(),
    'Only tenants granted one of these tiers (the granted tier, not the requested one). A policy that grants tiers or suspends cannot select by tier.',
  ),
});
export type PolicySelector = z.infer<typeof PolicySelector>;

/**
 * Tiers are grants: `LLMTenant.spec.tier` is a request; what a tenant gets is decided here. A requested tier is
 * granted when a selecting policy approves it (or assigns it); otherwise the tenant gets the tier a selecting
 * policy assigns; otherwise nothing.
 */
export const TierGrants = z.strictObject({
  assign: describe(dnsLabel().optional(), 'Tier every selected tenant gets when its requested tier is not approved.'),
  approve: describe(
    setList(
      z.array(z.string().max(63).regex(TIER_OR_ANY_RE, { message: 'must be a tier name (DNS label) or "*"' })).max(64),
    ).optional(),
    'Requested tiers granted as requested; "*" approves any request (the pre-grant, self-service behaviour).',
  ),
});
export type TierGrants = z.infer<typeof TierGrants>;

/** A suspension (block) decided by the platform team: the tenant cannot lift it from its namespace. */
export const PlatformSuspension = z.strictObject({
  reason: describe(z.string().min(1).max(256), 'Why (shown in the tenant status and the policy status).'),
});

/**
 * Sources of LLMModels that are approved cluster-wide (the selector does not apply: models are not tenants).
 * Each list constrains its own field when present (an empty list approves nothing); an absent list leaves the
 * field unconstrained by this policy. Entries: an exact name, or a prefix ending in "/*" (everything below it).
 * Several policies with modelSources: a source must be approved by each of them.
 */
export const ModelSources = z.strictObject({
  images: describe(
    setList(z.array(z.string().min(1).max(512)).max(256)).optional(),
    'Engine image repositories (spec.image without the digest, e.g. docker.io/vllm/vllm-openai or registry.example.com/llm/*); a listed repository admits its tags too.',
  ),
  huggingface: describe(
    setList(z.array(z.string().min(1).max(200)).max(256)).optional(),
    'Hugging Face repos ("org/name") or organisations ("org/*"); case-insensitive.',
  ),
  ollama: describe(
    setList(z.array(z.string().min(1).max(200)).max(256)).optional(),
    'Ollama model names (a name admits its :tags), or prefixes ("hf.co/org/*").',
  ),
  oci: describe(
    setList(z.array(z.string().min(1).max(512)).max(256)).optional(),
    'OCI artifact repositories (model.oci.reference without the digest), or prefixes ending in "/*".',
  ),
});
export type ModelSources = z.infer<typeof ModelSources>;

export const TierEntitlement = z.strictObject({
  name: describe(dnsLabel(), 'Tier name (as granted through tierGrants).'),
  models: describe(
    setList(z.array(z.string().min(1).max(128)).max(256)),
    'Served model names this tier may use; "*" means every model.',
  ),
  budget: describe(Budget.optional(), 'Budget of each tenant granted this tier.'),
  rateLimits: describe(RateLimits.optional(), 'Rate limits of each tenant granted this tier.'),
  limits: describe(RequestLimits.optional(), 'Per-request limits of each tenant granted this tier.'),
});
export type TierEntitlement = z.infer<typeof TierEntitlement>;

export const BUILTIN_SECRET_DETECTORS = [
  'aws-access-key',
  'aws-secret-key',
  'gcp-service-account',
  'gcp-api-key',
  'azure-storage-key',
  'private-key',
  'jwt',
  'bearer-token',
  'connection-string',
  'slack-token',
  'github-token',
  'stripe-key',
  'openai-key',
  'tollgate-key',
  'credit-card',
] as const;
export const BUILTIN_PII_DETECTORS = ['email', 'phone', 'iban', 'ip-address', 'us-ssn'] as const;
export const Detector = z.enum([...BUILTIN_SECRET_DETECTORS, ...BUILTIN_PII_DETECTORS, 'secrets', 'pii']);
export type Detector = z.infer<typeof Detector>;

export const CustomPattern = z.strictObject({
  name: describe(dnsLabel(), 'Pattern name, reported as the finding (and in the redaction marker).'),
  pattern: describe(
    z.string().min(1).max(1024),
    'RE2 syntax (linear time); backreferences and lookaround are not supported.',
  ),
});

export const GuardMode = z.enum(['off', 'flag', 'block']);
export type GuardMode = z.infer<typeof GuardMode>;

export const JUDGE_PROTOCOLS = ['auto', 'classify', 'pooling', 'tei', 'chat'] as const;

/** A classifier model (an LLMModel, by served name) asked for a verdict, with a timeout and a fail mode. */
export const JudgeSpec = z.strictObject({
  model: describe(z.string().min(1).max(128), 'Served name of the classifier LLMModel.'),
  protocol: describe(
    z.enum(JUDGE_PROTOCOLS).default('auto'),
    'classify: vLLM POST /classify; pooling: vLLM POST /pooling (classification pooler); tei: text-embeddings-inference POST /predict; chat: chat completion answering safe/unsafe or a number; auto: classify for vllm, chat otherwise.',
  ),
  timeoutMs: describe(
    z.int().min(10).max(60_000).default(500),
    'Milliseconds to wait for the verdict (default 500); then failMode decides.',
  ),
  failMode: describe(z.enum(['open', 'closed']).default('closed'), 'What happens when the judge times out or fails.'),
  benignClass: describe(
    z.int().min(0).max(63).default(0),
    'classify/pooling: index of the benign class; score = 1 - P(benign).',
  ),
  benignLabels: describe(
    setList(z.array(z.string().min(1).max(64)).min(1).max(16)).optional(),
    'tei: label names that mean benign (case-insensitive); score = 1 - their probability. Default: benign, safe, legit, LABEL_0.',
  ),
  maxChars: describe(
    z.int().min(256).max(65_536).default(8000),
    'Longest text sent to the judge (head and tail are kept).',
  ),
});
export type JudgeSpec = z.infer<typeof JudgeSpec>;

export const Guardrails = z.strictObject({
  redaction: describe(
    z
      .strictObject({
        detectors: describe(
          setList(z.array(Detector).max(64)).default([]),
          'Built-in detectors by name; "secrets" and "pii" select whole groups.',
        ),
        customPatterns: describe(
          mapList(z.array(CustomPattern).max(64), ['name']).default([]),
          'Extra RE2 patterns redacted like the built-in detectors.',
        ),
      })
      .optional(),
    'Secrets and personal data masked in model output (streams included) and in the prompts a redactedPrompts audit log keeps.',
  ),
  promptInjection: describe(
    z
      .strictObject({
        mode: describe(
          GuardMode.default('off'),
          'off (default): not scored; flag: scored and reported in the audit log, the request proceeds; block: refused.',
        ),
        threshold: describe(
          z.number().min(0).max(1).default(0.64),
          'Score at or above which the mode applies (user prompts). The default is the operating point on the tuning split of the public corpora (guardrails/README.md).',
        ),
        documentThreshold: describe(
          z.number().min(0).max(1).default(0.7),
          "Threshold for tool/function results and retrieved documents (indirect injection), scored with their own weights; the default is the documents' operating point on the tuning split.",
        ),
        judge: describe(
          JudgeSpec.optional(),
          'Classifier model asked as well as the built-in scorer; absent: the built-in scorer alone.',
        ),
      })
      .optional(),
    'Detection of instructions injected into prompts, tool results and retrieved documents.',
  ),
  outputCheck: describe(
    z.strictObject({
      mode: describe(
        GuardMode.default('off'),
        'off (default): not checked; flag: judged and reported, the output is delivered; block: an unsafe output is refused (stopped when streamed).',
      ),
      threshold: describe(z.number().min(0).max(1).default(0.5), 'Judge score at or above which the mode applies.'),
      judge: describe(JudgeSpec, 'The classifier model that judges the output.'),
      windowChars: describe(
        z.int().min(0).max(65_536).default(0),
        'Streaming: 0 holds the whole output until the judge has seen it; N releases it in windows of N characters, each judged (with the text before it) before release.',
      ),
    }),
    'Safety check of model OUTPUT by a classifier judge, streamed responses included.',
  ).optional(),
  exfiltration: describe(
    z
      .strictObject({
        mode: describe(
          z.enum(['off', 'flag', 'neutralize', 'block']).default('neutralize'),
          'neutralize (default): rewrites images and data-carrying links to hosts outside allowedHosts; flag: only reports them; block: rewrites and stops the response; off: skips the check.',
        ),
        allowedHosts: describe(
          setList(z.array(z.string().min(1).max(253)).max(256)).default([]),
          'Hosts images and data-carrying links may point to (an image is always a channel; a link or bare URL only when it can carry data: query, fragment, userinfo, encoded-looking path; plain addresses pass).',
        ),
      })
      .optional(),
    'Model output checked for channels that leak data to third parties (markdown images, links, bare URLs, HTML).',
  ),
  canaries: describe(
    setList(z.array(z.string().min(8).max(256)).max(32)).optional(),
    'System-prompt canary strings; seeing one in output blocks the response.',
  ),
  tools: describe(
    z
      .strictObject({
        allowed: describe(
          setList(z.array(z.string().min(1).max(128)).max(256)),
          'Tool (function) names requests may declare.',
        ),
      })
      .optional(),
    'Tool allowlist; absent: tools are not restricted by this policy.',
  ),
  structuredOutput: describe(
    z
      .strictObject({
        enforce: describe(
          z.boolean().default(false),
          'When the caller asks for a JSON schema, an output that does not validate is refused.',
        ),
      })
      .optional(),
    'Checks on outputs the caller asked to be structured.',
  ),
});
export type Guardrails = z.infer<typeof Guardrails>;

export const LoggingMode = z.enum(['none', 'metadata', 'redactedPrompts']);
export type LoggingMode = z.infer<typeof LoggingMode>;

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const AccessWindow = withRules(
  z.strictObject({
    days: describe(
      setList(z.array(z.enum(WEEKDAYS)).min(1).max(7)).default([...WEEKDAYS]),
      'Days the window starts on (default every day); a window past midnight counts for the day it starts.',
    ),
    start: describe(
      z.string().regex(HHMM_RE, { message: 'must be HH:MM (24h)' }),
      'Start, HH:MM (24h) local time, inclusive.',
    ),
    end: describe(
      z.string().regex(HHMM_RE, { message: 'must be HH:MM (24h)' }),
      'End, HH:MM (24h) local time, exclusive; before start means the window runs past midnight.',
    ),
    timeZone: describe(z.string().min(1).max(64).default('UTC'), 'IANA time zone, e.g. Europe/Berlin.'),
  }),
  [
    {
      rule: 'self.start != self.end',
      message: 'access window start and end must differ',
      check: (v) => v.start !== v.end,
    },
  ],
);
export type AccessWindow = z.infer<typeof AccessWindow>;

export const CIDR_RE =
  /^(((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)|[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|\d?\d))$/;

export const Anomaly = z.strictObject({
  enabled: describe(z.boolean().default(true), 'Score each key against its own history (default true).'),
  burstFactor: describe(
    z.number().min(1).max(1000).default(10),
    "Request rate over the key's own baseline that counts as a burst.",
  ),
  capHitRatio: describe(
    z.number().min(0).max(1).default(0.8),
    'Share of responses hitting the output cap that counts as anomalous.',
  ),
  failedAuthPerMinute: describe(
    z.int().min(1).max(100_000).default(20),
    'Refusals of a key in one minute (expired, revoked, scope, IP, access window) that count as fully anomalous (default 20).',
  ),
  threshold: describe(z.number().min(0).max(1).default(0.8), 'Score at which the action is taken.'),
  action: describe(
    z.enum(['flag', 'revoke']).default('flag'),
    'flag (default): the audit line records the anomaly; revoke: the gateway revokes the key (recorded in the tenant status.revokedKeys).',
  ),
});
export type Anomaly = z.infer<typeof Anomaly>;

export const LLMPolicySpec = describe(
  withRules(
    z.strictObject({
      selector: describe(
        PolicySelector.default({}),
        'Which tenants this policy applies to; empty selects every tenant.',
      ),
      tierGrants: describe(
        TierGrants.optional(),
        'Which tier the selected tenants get (their spec.tier is only a request).',
      ),
      suspend: describe(
        PlatformSuspension.optional(),
        'Suspend every selected tenant (a platform-side block the tenant cannot undo).',
      ),
      modelSources: describe(
        ModelSources.optional(),
        'Approved sources for every LLMModel in the cluster; enforced at admission and by the operator.',
      ),
      tiers: describe(
        mapList(z.array(TierEntitlement).max(64), ['name']).optional(),
        'Per-tier entitlements; when set, tiers not listed get nothing from this policy.',
      ),
      budget: describe(
        Budget.optional(),
        'Budget of each selected tenant (every line applies; the smallest per unit and window wins).',
      ),
      rateLimits: describe(RateLimits.optional(), 'Rate limits of each selected tenant (the smallest wins).'),
      limits: describe(RequestLimits.optional(), 'Per-request limits of each selected tenant (the smallest wins).'),
      guardrails: describe(
        Guardrails.optional(),
        'Guardrails the gateway applies to the selected tenants; over several policies the most restrictive wins.',
      ),
      logging: describe(
        z
          .strictObject({
            mode: describe(
              LoggingMode.default('metadata'),
              'metadata (default): an audit line per request without prompt text; redactedPrompts: prompts logged too, scrubbed; none: no line for successful requests (refusals are always logged).',
            ),
          })
          .optional(),
        'What the gateway logs about the selected tenants; over several policies the mode recording least prompt data wins.',
      ),
      accessWindows: describe(
        atomicList(z.array(AccessWindow).max(16)).optional(),
        'Requests are allowed only inside one of these windows.',
      ),
      ipAllowlist: describe(
        setList(
          z.array(z.string().max(64).regex(CIDR_RE, { message: 'must be a CIDR such as 10.0.0.0/8' })).max(256),
        ).optional(),
        'Client addresses allowed (CIDRs).',
      ),
      anomaly: describe(
        Anomaly.optional(),
        'Per-key anomaly detection in the gateway: bursts over the key baseline, output-cap hits, a new client network and failed authentication, combined into a score.',
      ),
      modelLimits: describe(
        mapList(
          z
            .array(
              z.strictObject({
                model: describe(z.string().min(1).max(128), 'Served model name.'),
                budget: describe(Budget.optional(), "Each tenant's budget on this model."),
                rateLimits: describe(RateLimits.optional(), "Each tenant's rate limits on this model."),
              }),
            )
            .max(256),
          ['model'],
        ).optional(),
        "Each selected tenant's limits on one model (its own counters, within the tenant's limits); the smallest over the selecting policies wins.",
      ),
    }),
    [
      {
        rule: '!(has(self.tierGrants) || has(self.suspend)) || !has(self.selector) || (!has(self.selector.tenantSelector) && !has(self.selector.tiers))',
        message:
          'a policy that grants tiers or suspends must select tenants by what the platform controls (namespaces, namespaceSelector, tenants), not by tenantSelector or tiers, which the tenant team writes',
        fieldPath: '.selector',
        check: (v) =>
          !(v.tierGrants || v.suspend) || (v.selector.tenantSelector === undefined && v.selector.tiers === undefined),
      },
    ],
  ),
  'What the selected tenants get and which guardrails apply. Several policies selecting a tenant combine; the most restrictive setting wins (README: how policies combine).',
);
export type LLMPolicySpec = z.infer<typeof LLMPolicySpec>;

export const LLMPolicyStatus = describe(
  z.strictObject({
    observedGeneration: describe(z.int().optional(), 'metadata.generation this status was computed from.'),
    conditions: Conditions.optional(),
    selectedTenants: describe(
      atomicList(z.array(z.string())).optional(),
      'namespace/name of the LLMTenants this policy selects.',
    ),
    selectedTenantCount: describe(z.int().optional(), 'Number of LLMTenants this policy selects.'),
    lastGood: describe(
      z
        .strictObject({
          generation: describe(z.int().optional(), 'metadata.generation of that version.'),
          spec: describe(
            z.string().max(1_048_576),
            'The spec (canonical JSON, defaults applied) of the last version that compiled.',
          ),
        })
        .optional(),
      'The last version of this policy that compiled. While the current spec does not compile, this one stays in force, also after an operator restart or failover.',
    ),
  }),
  'Observed state, written by the operator.',
);
export type LLMPolicyStatus = z.infer<typeof LLMPolicyStatus>;

export const LLMPolicy = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('LLMPolicy'),
  metadata: ObjectMeta,
  spec: LLMPolicySpec,
  status: LLMPolicyStatus.optional(),
});
export type LLMPolicy = z.infer<typeof LLMPolicy>;
