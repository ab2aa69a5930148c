// The v1alpha1 API: every kind, with what the CRD generator and the validator need to know.
import type { z } from 'zod';
import { LLMModel, LLMModelSpec, LLMModelStatus } from './model.ts';
import { LLMPolicy, LLMPolicySpec, LLMPolicyStatus } from './policy.ts';
import { LLMTenant, LLMTenantSpec, LLMTenantStatus } from './tenant.ts';

export * from './budget.ts';
export * from './model.ts';
export * from './policy.ts';
export * from './tenant.ts';
export * from './tokenizer.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindInfo {
  kind: 'LLMModel' | 'LLMTenant' | 'LLMPolicy';
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  schema: z.ZodType;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
  description: string;
}

const READY: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'LLMModel',
    plural: 'llmmodels',
    singular: 'llmmodel',
    shortNames: ['llmm'],
    scope: 'Namespaced',
    schema: LLMModel,
    spec: LLMModelSpec,
    status: LLMModelStatus,
    description:
      'LLMModel is one served model: an inference Deployment pinned by digest, reachable only through the Tollgate gateway.',
    printerColumns: [
      READY,
      { name: 'Served', type: 'string', jsonPath: '.spec.servedName' },
      { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
      { name: 'GPUs', type: 'integer', jsonPath: '.spec.resources.gpus' },
      { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
      { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
      AGE,
    ],
  },
  {
    kind: 'LLMTenant',
    plural: 'llmtenants',
    singular: 'llmtenant',
    shortNames: ['llmt'],
    scope: 'Namespaced',
    schema: LLMTenant,
    spec: LLMTenantSpec,
    status: LLMTenantStatus,
    description: "LLMTenant is a team's request for access to models through the Tollgate gateway.",
    printerColumns: [
      READY,
      { name: 'Tier', type: 'string', jsonPath: '.status.tier', description: 'Granted tier' },
      { name: 'Requested', type: 'string', jsonPath: '.spec.tier', priority: 1 },
      { name: 'Suspended', type: 'string', jsonPath: '.status.conditions[?(@.type=="Suspended")].status' },
      { name: 'Models', type: 'integer', jsonPath: '.status.grantedModelCount', priority: 1 },
      { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
      AGE,
    ],
  },
  {
    kind: 'LLMPolicy',
    plural: 'llmpolicies',
    singular: 'llmpolicy',
    shortNames: ['llmp'],
    scope: 'Cluster',
    schema: LLMPolicy,
    spec: LLMPolicySpec,
    status: LLMPolicyStatus,
    description: 'LLMPolicy says what selected tenants get (entitlements, budgets, limits) and which guardrails apply.',
    printerColumns: [READY, { name: 'Tenants', type: 'integer', jsonPath: '.status.selectedTenantCount' }, AGE],
  },
];

export function kindInfo(kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kind);
}
