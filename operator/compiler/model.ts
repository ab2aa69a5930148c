// LLMModel -> Deployment, Service, NetworkPolicies (pure).
import type { V1Container, V1Deployment, V1EnvVar, V1SecurityContext, V1Service } from '@kubernetes/client-node';
import type { LLMModel } from '../../api/v1alpha1/index.ts';
import { engineAdapter } from './engines/index.ts';
import { MODEL_DIR } from './engines/types.ts';
import { MANAGED_BY, childName, modelLabels, ownerRefs, podSelector } from './labels.ts';
import type { NetworkPolicy } from './objects.ts';
import type { CompileOptions } from './options.ts';

export const UPSTREAM_SECRET_KEY = 'api-key';

/** Secret (in the model namespace) holding the upstream credential the engine requires. */
export function upstreamSecretName(model: LLMModel): { name: string; key: string } {
  const byo = model.spec.upstreamCredential;
  return byo
    ? { name: byo.name, key: byo.key }
    : { name: childName(model.metadata.name, 'upstream-auth', 253), key: UPSTREAM_SECRET_KEY };
}

/** Entry name of this model in the gateway's upstream-credentials Secret. */
export function credentialKey(model: LLMModel): string {
  return `${model.metadata.namespace ?? 'default'}.${model.metadata.name}`;
}

export function serviceName(model: LLMModel): string {
  return childName(model.metadata.name, 'llm');
}

export function upstreamUrl(model: LLMModel, opts: CompileOptions): string {
  const override = opts.upstreamOverrides[model.spec.servedName];
  if (override) return override.replace(/\/+$/, '');
  const a = engineAdapter(model.spec.engine);
  return `http://${serviceName(model)}.${model.metadata.namespace ?? 'default'}.svc.${opts.clusterDomain}:${a.port}${a.apiBasePath}`;
}

function restrictedContainer(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function volumeMounts(): V1Container['volumeMounts'] {
  return [
    { name: 'models', mountPath: MODEL_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'dshm', mountPath: '/dev/shm' },
  ];
}

export function modelDeployment(model: LLMModel, _opts: CompileOptions): V1Deployment {
  const adapter = engineAdapter(model.spec.engine);
  const name = model.metadata.name;
  const ns = model.metadata.namespace ?? 'default';
  const secret = upstreamSecretName(model);
  const credentialEnv: V1EnvVar | undefined = adapter.supportsApiKey
    ? { name: 'UPSTREAM_API_KEY', valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } }
    : undefined;
  const ctx = credentialEnv ? { model, credentialEnv } : { model };
  const spec = model.spec;
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (spec.resources.gpus > 0) limits[spec.resources.gpuResourceName] = String(spec.resources.gpus);
  if (spec.resources.memory) {
    limits['memory'] = spec.resources.memory;
    requests['memory'] = spec.resources.memory;
  }
  if (spec.resources.cpu) requests['cpu'] = spec.resources.cpu;

  const serving = adapter.container(ctx);
  const main: V1Container = {
    name: 'engine',
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    ...serving,
    ports: [{ name: 'http', containerPort: adapter.port, protocol: 'TCP' }],
    resources: { limits, requests },
    readinessProbe: adapter.readinessProbe(),
    livenessProbe: adapter.livenessProbe(),
    startupProbe: adapter.startupProbe(),
    securityContext: restrictedContainer(),
    volumeMounts: volumeMounts(),
  };
  const fetch = adapter.fetchContainer(ctx);
  const initContainers: V1Container[] = fetch
    ? [
        {
          name: 'fetch-and-verify-model',
          imagePullPolicy: 'IfNotPresent',
          ...fetch,
          resources: { requests: { cpu: '100m', memory: '256Mi' } },
          securityContext: restrictedContainer(),
          volumeMounts: volumeMounts(),
        },
      ]
    : [];
  const labels = modelLabels(name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: childName(name, 'engine'),
      namespace: ns,
      labels,
      annotations: {
        'tollgate.dev/served-name': spec.servedName,
        'tollgate.dev/pinned-model': adapter.pinnedRevision(model),
      },
      ownerReferences: ownerRefs({ kind: 'LLMModel', metadata: model.metadata }),
    },
    spec: {
      replicas: spec.replicas,
      revisionHistoryLimit: 3,
      // GPUs are scarce: never ask for a surge replica's worth of GPUs during a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      selector: { matchLabels: podSelector(name) },
      template: {
        metadata: { labels, annotations: { 'tollgate.dev/pinned-model': adapter.pinnedRevision(model) } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
          ...(spec.scheduling?.nodeSelector ? { nodeSelector: spec.scheduling.nodeSelector } : {}),
          ...(tolerations(model).length > 0 ? { tolerations: tolerations(model) } : {}),
          ...(spec.scheduling?.priorityClassName ? { priorityClassName: spec.scheduling.priorityClassName } : {}),
          terminationGracePeriodSeconds: 60,
          initContainers,
          containers: [main],
          volumes: [
            { name: 'models', emptyDir: { sizeLimit: spec.resources.modelCacheSize } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: spec.resources.shmSize } },
          ],
        },
      },
    },
  };
}

/**
 * The spec's tolerations, plus one for the GPU resource's own taint when the pod asks for GPUs (what the
 * ExtendedResourceToleration admission plugin would add, for clusters that do not enable it).
 */
export function tolerations(model: LLMModel): NonNullable<NonNullable<LLMModel['spec']['scheduling']>['tolerations']> {
  const own = [...(model.spec.scheduling?.tolerations ?? [])];
  const gpu = model.spec.resources.gpuResourceName;
  if (
    model.spec.resources.gpus > 0 &&
    !own.some((t) => t.key === gpu && (t.operator === 'Exists' || t.operator === undefined))
  ) {
    own.push({ key: gpu, operator: 'Exists', effect: 'NoSchedule' });
  }
  return own;
}

export function modelService(model: LLMModel): V1Service {
  const adapter = engineAdapter(model.spec.engine);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(model),
      namespace: model.metadata.namespace ?? 'default',
      labels: modelLabels(model.metadata.name),
      ownerReferences: ownerRefs({ kind: 'LLMModel', metadata: model.metadata }),
    },
    spec: {
      type: 'ClusterIP',
      selector: podSelector(model.metadata.name),
      ports: [{ name: 'http', port: adapter.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Only gateway pods reach the engine; the engine reaches DNS and, to fetch weights, the internet on 443. */
export function modelNetworkPolicy(model: LLMModel, opts: CompileOptions): NetworkPolicy {
  const adapter = engineAdapter(model.spec.engine);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: childName(model.metadata.name, 'gateway-only'),
      namespace: model.metadata.namespace ?? 'default',
      labels: modelLabels(model.metadata.name),
      ownerReferences: ownerRefs({ kind: 'LLMModel', metadata: model.metadata }),
    },
    spec: {
      podSelector: { matchLabels: podSelector(model.metadata.name) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': opts.gatewayNamespace } },
              podSelector: { matchLabels: opts.gatewayPodLabels },
            },
          ],
          ports: [{ protocol: 'TCP', port: adapter.port }],
        },
      ],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        ...(needsFetchEgress(model)
          ? [
              {
                to: opts.modelFetchEgress.map((e) => ({ ipBlock: { cidr: e.cidr, except: e.except } })),
                ports: [{ protocol: 'TCP', port: 443 }],
              },
            ]
          : []),
      ],
    },
  };
}

function needsFetchEgress(model: LLMModel): boolean {
  return model.spec.model.huggingface !== undefined || model.spec.model.ollama !== undefined;
}

/** Default deny for every pod in an inference namespace (one per namespace holding LLMModels). */
export function defaultDenyPolicy(namespace: string): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'tollgate-default-deny',
      namespace,
      labels: { ...MANAGED_BY, 'app.kubernetes.io/name': 'tollgate' },
    },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}
