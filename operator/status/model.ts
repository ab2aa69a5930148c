// LLMModel status from what the compiler decided and what the cluster shows (pure).
import type { LLMModelStatus } from '../../api/v1alpha1/index.ts';
import type { ModelOutcome } from '../compiler/index.ts';
import type { KObject } from '../../kube/object.ts';
import { setConditions, type ConditionInput } from './conditions.ts';

interface DeploymentView {
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    observedGeneration?: number;
  };
  metadata: { generation?: number };
}
interface PodView {
  metadata: { name: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface NodeView {
  metadata: { name: string };
  spec?: { unschedulable?: boolean };
  status?: { allocatable?: Record<string, string> };
}

export function largestAllocatable(nodes: readonly KObject[], resource: string): number {
  let max = 0;
  for (const n of nodes as unknown as NodeView[]) {
    if (n.spec?.unschedulable) continue;
    const v = Number.parseInt(n.status?.allocatable?.[resource] ?? '0', 10);
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}

export function modelStatus(
  outcome: ModelOutcome,
  deployment: KObject | undefined,
  pods: readonly KObject[],
  nodes: readonly KObject[],
  previous: LLMModelStatus | undefined,
  now: Date,
): LLMModelStatus {
  const spec = outcome.model.spec;
  const d = deployment as unknown as DeploymentView | undefined;
  const want = spec.replicas;
  const available = d?.status?.availableReplicas ?? 0;
  const ready = d?.status?.readyReplicas ?? 0;
  const conds: ConditionInput[] = [];

  // Scheduling, as the real scheduler reports it on the pods.
  const unscheduled = (pods as unknown as PodView[]).filter((p) => !p.spec?.nodeName);
  const unschedulable = unscheduled
    .map((p) => p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'))
    .find((c) => c?.reason === 'Unschedulable');
  const gpuName = spec.resources.gpuResourceName;
  const largest = largestAllocatable(nodes, gpuName);
  let scheduled: ConditionInput;
  if (unschedulable) {
    const fit =
      spec.resources.gpus > largest
        ? `needs ${spec.resources.gpus} ${gpuName}, largest node has ${largest}`
        : `needs ${spec.resources.gpus} ${gpuName}`;
    scheduled = {
      type: 'Scheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: `${fit}; scheduler: ${unschedulable.message ?? 'no node fits'}`,
    };
  } else if (want > 0 && unscheduled.length > 0) {
    scheduled = {
      type: 'Scheduled',
      status: 'Unknown',
      reason: 'Pending',
      message: `${unscheduled.length} pod(s) waiting for the scheduler`,
    };
  } else {
    scheduled = {
      type: 'Scheduled',
      status: 'True',
      reason: 'Scheduled',
      message: want === 0 ? 'scaled to zero' : 'all pods are bound to nodes',
    };
  }
  conds.push(scheduled);

  const availableCond: ConditionInput =
    want === 0
      ? { type: 'Available', status: 'True', reason: 'ScaledToZero', message: 'replicas is 0' }
      : available >= want
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: `${available}/${want} replicas available`,
          }
        : {
            type: 'Available',
            status: 'False',
            reason: deployment ? 'ReplicasUnavailable' : 'DeploymentMissing',
            message: `${available}/${want} replicas available`,
          };
  conds.push(availableCond);

  conds.push(
    outcome.conflictsWith.length === 0
      ? {
          type: 'ServedNameConflict',
          status: 'False',
          reason: 'Unique',
          message: `"${outcome.servedName}" is served by this model only`,
        }
      : outcome.serving
        ? {
            type: 'ServedNameConflict',
            status: 'True',
            reason: 'KeptByOldest',
            message: `also claimed by ${outcome.conflictsWith.join(', ')}; this (older) model keeps serving "${outcome.servedName}"`,
          }
        : {
            type: 'ServedNameConflict',
            status: 'True',
            reason: 'ClaimedByOlder',
            message: `"${outcome.servedName}" is already served by ${outcome.conflictsWith.join(', ')}; rename servedName to serve this model`,
          },
  );

  conds.push(
    outcome.supportsApiKey
      ? {
          type: 'UpstreamAuth',
          status: 'True',
          reason: 'APIKeyRequired',
          message: 'the engine requires the upstream key only the gateway holds',
        }
      : {
          type: 'UpstreamAuth',
          status: 'False',
          reason: 'NotSupportedByEngine',
          message: `${spec.engine} cannot require an API key; only the NetworkPolicy keeps it private`,
        },
  );

  conds.push(
    outcome.engineArgs.problems.length > 0
      ? { type: 'EngineArgsValid', status: 'False', reason: 'UnknownFlag', message: outcome.engineArgs.message }
      : {
          type: 'EngineArgsValid',
          status: outcome.engineArgs.checked ? 'True' : 'Unknown',
          reason: outcome.engineArgs.checked ? 'KnownFlags' : 'NotChecked',
          message: outcome.engineArgs.message,
        },
  );

  conds.push(
    outcome.source.approved
      ? { type: 'SourceApproved', status: 'True', reason: 'Approved', message: outcome.source.message }
      : {
          type: 'SourceApproved',
          status: 'False',
          reason: 'SourceNotApproved',
          message: `${outcome.source.message}; not served, Deployment kept at 0 replicas`,
        },
  );

  conds.push({
    type: 'ModelVerified',
    status: outcome.verification.verified ? 'True' : 'False',
    reason: outcome.verification.reason,
    message: outcome.verification.message,
  });

  let readyCond: ConditionInput;
  if (!outcome.source.approved)
    readyCond = { type: 'Ready', status: 'False', reason: 'SourceNotApproved', message: outcome.source.message };
  else if (!outcome.serving)
    readyCond = {
      type: 'Ready',
      status: 'False',
      reason: 'ServedNameConflict',
      message: `"${outcome.servedName}" is served by ${outcome.conflictsWith.join(', ')}`,
    };
  else if (scheduled.status === 'False')
    readyCond = { type: 'Ready', status: 'False', reason: 'Unschedulable', message: scheduled.message };
  else if (availableCond.status !== 'True')
    readyCond = { type: 'Ready', status: 'False', reason: 'Progressing', message: availableCond.message };
  else
    readyCond = {
      type: 'Ready',
      status: 'True',
      reason: 'Serving',
      message: `serving "${outcome.servedName}" through the gateway`,
    };
  conds.unshift(readyCond);

  return {
    observedGeneration: outcome.model.metadata.generation,
    conditions: setConditions(previous?.conditions, conds, outcome.model.metadata.generation, now),
    servedName: outcome.servedName,
    image: spec.image,
    modelRevision: outcome.pinnedRevision,
    replicas: d?.status?.replicas ?? 0,
    readyReplicas: ready,
    availableReplicas: available,
    upstream: outcome.upstream,
  };
}
