// LLMModel: one served model, in the inference namespace.
import { z } from 'zod';
import { Budget, RateLimits } from './budget.ts';
import {
  API_VERSION,
  atomicList,
  Conditions,
  describe,
  DIGEST_IMAGE_CEL,
  DIGEST_IMAGE_RE,
  dnsLabel,
  GIT_SHA_CEL,
  GIT_SHA_RE,
  LocalObjectReference,
  mapList,
  ObjectMeta,
  quantity,
  SecretKeySelector,
  setList,
  SHA256_DIGEST_CEL,
  SHA256_DIGEST_RE,
  stringMap,
  Toleration,
  withRules,
} from '../meta.ts';
import { Tokenizer } from './tokenizer.ts';

export const ENGINES = ['vllm', 'ollama', 'tgi', 'llamacpp'] as const;
export const Engine = z.enum(ENGINES);
export type Engine = z.infer<typeof Engine>;

/** Endpoint scopes; also what a model can serve. */
export const SCOPES = ['chat.completions', 'completions', 'embeddings', 'models.list'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;
export const CAPABILITIES = ['chat.completions', 'completions', 'embeddings'] as const;
export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;

export const SERVED_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
/** Names Ollama resolves as given: [namespace/]model[:tag], lowercase (Ollama's own name grammar, narrowed). */
export const OLLAMA_NAME_RE = /^([a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(:[A-Za-z0-9._-]+)?$/;
const OLLAMA_NAME_CEL = '^([a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*(:[A-Za-z0-9._-]+)?$';

const fileDigest = z.strictObject({
  path: describe(
    z
      .string()
      .min(1)
      .max(512)
      .regex(/^[^/.][^\0]*$/, { message: 'must be a relative path inside the model repository' }),
    'File path relative to the repository root (for llamacpp: the GGUF file served).',
  ),
  sha256: describe(
    z.string().regex(/^[a-f0-9]{64}$/, { message: 'must be 64 lowercase hex characters' }),
    'Expected sha256 of the file (64 lowercase hex characters); the fetch fails on a mismatch.',
  ),
});

export const HuggingFaceSource = z.strictObject({
  repo: describe(
    z
      .string()
      .min(3)
      .max(200)
      .regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, { message: 'must be "organisation/name"' }),
    'Hugging Face repository, "organisation/name"; downloaded by an init container into the model cache volume.',
  ),
  revision: describe(
    withRules(z.string().max(64), [
      {
        rule: `self.matches('${GIT_SHA_CEL}')`,
        message: 'model revision must be an immutable 40-character commit SHA, not a branch or tag',
        check: (v) => GIT_SHA_RE.test(v),
      },
    ]),
    'Immutable commit SHA (40 hex characters) of the model repository; branches and tags are rejected.',
  ),
  files: describe(
    mapList(z.array(fileDigest).max(64), ['path']).optional(),
    'sha256 of the files to fetch, verified after download (required for llamacpp: its one GGUF file). Absent: the whole repository is fetched and each file checked against the sha256 the hub lists for it at the revision; files the hub lists no sha256 for (small non-LFS files) are then pinned, not verified.',
  ),
  tokenSecret: describe(
    SecretKeySelector.optional(),
    'Secret key (in the model namespace) holding a Hugging Face access token, for gated or private repositories. Given to the fetch init container only (env HF_TOKEN), never to the engine.',
  ),
});

export const OllamaSource = z.strictObject({
  name: describe(
    z
      .string()
      .min(1)
      .max(200)
      .regex(/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/, {
        message: 'must be an Ollama model name such as llama3.1:8b',
      }),
    'Ollama model name, e.g. llama3.1:8b (pulled by Ollama; pinned by digest below).',
  ),
  digest: describe(
    withRules(z.string().max(80), [
      {
        rule: `self.matches('${SHA256_DIGEST_CEL}')`,
        message: 'ollama model must be pinned by manifest digest (sha256:<64 hex>)',
        check: (v) => SHA256_DIGEST_RE.test(v),
      },
    ]),
    'sha256 digest of the Ollama manifest (sha256:<64 hex>).',
  ),
});

export const OciSource = z.strictObject({
  reference: describe(
    withRules(z.string().min(1).max(512), [
      {
        rule: `self.matches('${DIGEST_IMAGE_CEL}')`,
        message: 'OCI model artifact must be pinned by digest (repo@sha256:<64 hex>)',
        check: (v) => DIGEST_IMAGE_RE.test(v),
      },
    ]),
    'OCI artifact holding the weights, pinned by digest (repo@sha256:<64 hex>).',
  ),
  path: describe(
    z.string().max(512).default('/model'),
    'Directory inside the artifact image whose contents are copied into the model cache (default /model).',
  ),
});

export const ModelSource = withRules(
  z.strictObject({
    huggingface: describe(
      HuggingFaceSource.optional(),
      'Weights from a Hugging Face repository at a pinned commit (vllm, tgi, llamacpp).',
    ),
    ollama: describe(
      OllamaSource.optional(),
      'Model pulled by Ollama, pinned by manifest digest (engine ollama only).',
    ),
    oci: describe(OciSource.optional(), 'Weights from an OCI artifact image, pinned by digest.'),
  }),
  [
    {
      rule: '[has(self.huggingface), has(self.ollama), has(self.oci)].filter(x, x).size() == 1',
      message: 'exactly one model source (huggingface, ollama or oci) must be set',
      check: (v) => [v.huggingface, v.ollama, v.oci].filter((x) => x !== undefined).length === 1,
    },
  ],
);
export type ModelSource = z.infer<typeof ModelSource>;

export const Cost = describe(
  z.strictObject({
    unit: describe(
      z.enum(['tokens', 'gpuSeconds']).default('tokens'),
      'What this model charges against: weighted tokens or GPU-seconds.',
    ),
    inputTokenWeight: describe(z.number().min(0).max(1e6).default(1), 'Budget units charged per input token.'),
    outputTokenWeight: describe(z.number().min(0).max(1e6).default(1), 'Budget units charged per output token.'),
    gpuSecondWeight: describe(
      z.number().min(0).max(1e6).default(1),
      'Budget units charged per GPU-second (unit gpuSeconds), multiplied by the GPUs per replica.',
    ),
    estimatedOutputTokensPerSecond: describe(
      z.number().positive().max(1e6).default(50),
      'For gpuSeconds models: throughput used to estimate GPU time before inference.',
    ),
  }),
  'How requests to this model are charged against budgets (default: 1 unit per input and per output token).',
);

export const ModelLimits = z.strictObject({
  maxInputTokens: describe(
    z.int().min(1).max(10_000_000).optional(),
    'Largest prompt in tokens for every tenant (below contextLength); the smaller of this and the tenant limit applies. For tgi also passed as --max-input-tokens (default contextLength - 1).',
  ),
  maxOutputTokens: describe(
    z.int().min(1).max(10_000_000).optional(),
    'Cap on max_tokens for every tenant (at most contextLength); the smaller of this and the tenant limit applies.',
  ),
});

export const ModelResources = z.strictObject({
  gpus: describe(z.int().min(0).max(64).default(1), 'GPUs per replica (the gpuResourceName limit).'),
  gpuResourceName: describe(
    z.string().min(1).max(253).default('nvidia.com/gpu'),
    'Extended resource name the GPUs are requested as (e.g. amd.com/gpu); also the node allocatable status checks.',
  ),
  cpu: describe(quantity().optional(), 'CPU request of the engine container (no limit is set).'),
  memory: describe(quantity().optional(), 'Memory request and limit of the engine container.'),
  shmSize: describe(
    quantity().default('2Gi'),
    'Size of the in-memory /dev/shm volume (tensor-parallel engines need it).',
  ),
  modelCacheSize: describe(quantity().default('100Gi'), 'Size limit of the emptyDir the model is downloaded into.'),
});

export const Scheduling = z.strictObject({
  nodeSelector: describe(stringMap().optional(), 'Node labels the engine pods must run on (pod nodeSelector).'),
  tolerations: describe(
    atomicList(z.array(Toleration)).optional(),
    'Taints the engine pods tolerate (e.g. a dedicated GPU node pool).',
  ),
  priorityClassName: describe(z.string().max(253).optional(), 'PriorityClass of the engine pods.'),
});

export const LLMModelSpec = describe(
  withRules(
    z.strictObject({
      engine: describe(Engine, 'Inference engine.'),
      engineVersion: describe(
        z
          .string()
          .regex(/^v?[0-9]+(\.[0-9]+){1,2}([-+.][0-9A-Za-z.]+)?$/, { message: 'must be a version such as 0.33.0' })
          .max(64)
          .optional(),
        'Version of the engine inside image (e.g. 0.33.0 for vllm, 3.3.7 for tgi). Compiled flags and engineArgs are checked against the engine CLI at the version Tollgate targets; a different version here skips that check (status says so).',
      ),
      image: describe(
        withRules(z.string().min(1).max(1024), [
          {
            rule: `self.matches('${DIGEST_IMAGE_CEL}')`,
            message: 'image must be pinned by digest (repo@sha256:<64 hex>); tags are mutable',
            check: (v) => DIGEST_IMAGE_RE.test(v),
          },
        ]),
        'Container image of the engine, pinned by digest (repo@sha256:<64 hex>).',
      ),
      imagePullSecrets: describe(
        mapList(z.array(LocalObjectReference).max(16), ['name']).optional(),
        'Secrets (in the model namespace) for pulling image, set on the engine pods.',
      ),
      model: describe(
        ModelSource,
        'Where the weights come from, pinned to an immutable revision or digest and verified before serving.',
      ),
      servedName: describe(
        z
          .string()
          .max(128)
          .regex(SERVED_NAME_RE, { message: 'must be 1-128 characters: letters, digits and . _ : / -' }),
        'Name tenants use in the "model" field; unique across the cluster.',
      ),
      contextLength: describe(
        z.int().min(1).max(10_000_000).default(4096),
        'Context window in tokens (prompt plus output; default 4096). Passed to the engine (vllm --max-model-len, tgi --max-total-tokens, llamacpp --ctx-size, ollama OLLAMA_CONTEXT_LENGTH) and used by the gateway to bound max_tokens.',
      ),
      tokenizer: describe(
        Tokenizer.optional(),
        "BPE encoding the gateway estimates tokens with before inference (input limits, reservations, the output cap when the engine reports no usage); charges use the engine's own usage. Absent: o200k_base for gpt-oss and DeepSeek models (by served name or source), cl100k_base otherwise.",
      ),
      capabilities: describe(
        setList(z.array(Capability).min(1).max(3)).default(['chat.completions', 'completions']),
        'Endpoints this model serves (default chat.completions and completions); the gateway refuses others with model_capability. For vllm, embeddings alone selects --runner pooling.',
      ),
      replicas: describe(
        z.int().min(0).max(1000).default(1),
        'Engine Deployment replicas (default 1; 0 stops the model but keeps it declared). The operator sets 0 while the source is not approved by LLMPolicy modelSources.',
      ),
      resources: describe(
        ModelResources,
        'Resources of each engine replica (default: 1 nvidia.com/gpu, 2Gi /dev/shm, 100Gi model cache).',
      ).default({
        gpus: 1,
        gpuResourceName: 'nvidia.com/gpu',
        shmSize: '2Gi',
        modelCacheSize: '100Gi',
      }),
      scheduling: describe(Scheduling.optional(), 'Where the engine pods run.'),
      cost: Cost.default({
        unit: 'tokens',
        inputTokenWeight: 1,
        outputTokenWeight: 1,
        gpuSecondWeight: 1,
        estimatedOutputTokensPerSecond: 50,
      }),
      limits: describe(
        ModelLimits.optional(),
        'Per-request token limits of this model, applied to every tenant together with its own limits.',
      ),
      globalLimits: describe(
        z
          .strictObject({
            budget: describe(Budget.optional(), 'Budget shared by every tenant on this model.'),
            rateLimits: describe(RateLimits.optional(), 'Rate limits shared by every tenant on this model.'),
          })
          .optional(),
        'Every tenant together on this model (e.g. concurrency to protect a shared GPU); checked with each tenant limit in one atomic step.',
      ),
      tiers: describe(
        setList(z.array(dnsLabel()).max(64)).optional(),
        'Tiers allowed to use this model; absent means every tier a policy entitles.',
      ),
      engineArgs: describe(
        atomicList(z.array(z.string().max(1024)).max(64)).optional(),
        'Extra engine flags. Flags Tollgate owns (model, port, served name, API key, host) are rejected.',
      ),
      upstreamCredential: describe(
        SecretKeySelector.optional(),
        'Bring-your-own upstream API key (e.g. synced from Vault); by default the operator generates one.',
      ),
    }),
    [
      {
        rule: '!has(self.limits) || !has(self.limits.maxOutputTokens) || self.limits.maxOutputTokens <= self.contextLength',
        message: 'limits.maxOutputTokens must not exceed contextLength',
        fieldPath: '.limits.maxOutputTokens',
        check: (v) => v.limits?.maxOutputTokens === undefined || v.limits.maxOutputTokens <= v.contextLength,
      },
      {
        rule: '!has(self.limits) || !has(self.limits.maxInputTokens) || self.limits.maxInputTokens < self.contextLength',
        message: 'limits.maxInputTokens must be below contextLength',
        fieldPath: '.limits.maxInputTokens',
        check: (v) => v.limits?.maxInputTokens === undefined || v.limits.maxInputTokens < v.contextLength,
      },
      {
        rule: "self.engine != 'llamacpp' || !has(self.model.huggingface) || (has(self.model.huggingface.files) && self.model.huggingface.files.size() == 1)",
        message: 'llamacpp needs exactly one GGUF file with its sha256 in model.huggingface.files',
        fieldPath: '.model',
        check: (v) =>
          v.engine !== 'llamacpp' || v.model.huggingface === undefined || v.model.huggingface.files?.length === 1,
      },
      {
        rule: "self.engine == 'ollama' ? has(self.model.ollama) : !has(self.model.ollama)",
        message: 'model.ollama is the source for engine ollama, and only for it',
        fieldPath: '.model',
        check: (v) => (v.engine === 'ollama') === (v.model.ollama !== undefined),
      },
      {
        rule: "!has(self.engineArgs) || self.engineArgs.all(a, !a.matches('^--?(model|model-id|m|port|host|served-model-name|api-key|api-key-file|revision)(=|$)'))",
        message: 'engineArgs must not set flags Tollgate manages (model, port, host, served name, API key, revision)',
        fieldPath: '.engineArgs',
        check: (v) =>
          (v.engineArgs ?? []).every(
            (a) => !/^--?(model|model-id|m|port|host|served-model-name|api-key|api-key-file|revision)(=|$)/.test(a),
          ),
      },
      {
        rule: "self.engine != 'vllm' || !self.capabilities.exists(c, c == 'embeddings') || self.capabilities.size() == 1",
        message:
          'vllm runs one runner per server: declare embeddings alone (--runner pooling), or serve generation from another LLMModel',
        fieldPath: '.capabilities',
        check: (v) => v.engine !== 'vllm' || !v.capabilities.includes('embeddings') || v.capabilities.length === 1,
      },
      {
        rule: `self.engine != 'ollama' || self.servedName.matches('${OLLAMA_NAME_CEL}')`,
        message:
          'for ollama, servedName must be an Ollama model name (lowercase letters, digits, . _ - ; optional namespace/ and :tag), because Ollama serves the model under that name',
        fieldPath: '.servedName',
        check: (v) => v.engine !== 'ollama' || OLLAMA_NAME_RE.test(v.servedName),
      },
      {
        rule: "self.engine != 'tgi' || !self.capabilities.exists(c, c == 'embeddings')",
        message: 'tgi does not serve embeddings (use vllm, llamacpp or ollama for an embedding model)',
        fieldPath: '.capabilities',
        check: (v) => v.engine !== 'tgi' || !v.capabilities.includes('embeddings'),
      },
      {
        rule: "self.cost.unit != 'gpuSeconds' || self.resources.gpus > 0",
        message: 'cost.unit gpuSeconds needs resources.gpus > 0',
        fieldPath: '.cost.unit',
        check: (v) => v.cost.unit !== 'gpuSeconds' || v.resources.gpus > 0,
      },
    ],
  ),
  'Desired state of the model: engine and image, weights source, serving parameters, resources, cost and limits. The operator compiles it into a Deployment, a Service and a NetworkPolicy in this namespace, and the gateway routes servedName to it.',
);
export type LLMModelSpec = z.infer<typeof LLMModelSpec>;

export const LLMModelStatus = describe(
  z.strictObject({
    observedGeneration: describe(z.int().optional(), 'metadata.generation this status was computed from.'),
    conditions: Conditions.optional(),
    servedName: describe(z.string().optional(), 'The served name in force.'),
    image: describe(z.string().optional(), 'The digest-pinned image in force.'),
    modelRevision: describe(z.string().optional(), 'The pinned model revision or digest in force.'),
    replicas: describe(z.int().optional(), 'Replicas of the engine Deployment (its status).'),
    readyReplicas: describe(z.int().optional(), 'Ready replicas of the engine Deployment.'),
    availableReplicas: describe(
      z.int().optional(),
      'Available replicas of the engine Deployment (the Available printer column).',
    ),
    upstream: describe(z.string().optional(), 'In-cluster URL the gateway uses.'),
  }),
  'Observed state, written by the operator.',
);
export type LLMModelStatus = z.infer<typeof LLMModelStatus>;

export const LLMModel = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('LLMModel'),
  metadata: ObjectMeta,
  spec: LLMModelSpec,
  status: LLMModelStatus.optional(),
});
export type LLMModel = z.infer<typeof LLMModel>;
