// Builders for compiler tests: valid objects parsed through the real schemas (defaults applied).
import type { V1Secret } from '@kubernetes/client-node';
import { LLMModel, LLMPolicy, LLMTenant } from '../../api/v1alpha1/index.ts';

export const DIGEST = `docker.io/vllm/vllm-openai@sha256:${'a'.repeat(64)}`;
export const REV = 'b'.repeat(40);

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

export function model(name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): LLMModel {
  return LLMModel.parse({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMModel',
    metadata: { name, namespace: 'llm', ...meta },
    spec: {
      engine: 'vllm',
      image: DIGEST,
      model: { huggingface: { repo: 'org/m', revision: REV } },
      servedName: name,
      ...spec,
    },
  });
}

export function tenant(
  ns: string,
  name: string,
  spec: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): LLMTenant {
  return LLMTenant.parse({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMTenant',
    metadata: { name, namespace: ns, labels },
    spec: { tier: 'gold', ...spec },
  });
}

export function policy(name: string, spec: Record<string, unknown> = {}): LLMPolicy {
  return LLMPolicy.parse({ apiVersion: 'tollgate.dev/v1alpha1', kind: 'LLMPolicy', metadata: { name }, spec });
}

export function keySecret(
  ns: string,
  name: string,
  data: Record<string, string>,
  annotations: Record<string, string> = {},
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, annotations },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

export type { DeepPartial };
