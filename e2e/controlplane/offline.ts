// The offline side of the "offline validator and API server agree" checks: runs the same zod schemas (with
// the same rules that generate the CRDs' CEL x-kubernetes-validations) over manifests, without a cluster.
// Returns one message per problem ("<Kind> <name>: <path>: <message>"); [] means valid.
// Objects of other API groups (Namespace, Secret, ...) are left to the API server.
import { API_VERSION, GROUP } from '../../api/meta.ts';
import { kindInfo } from '../../api/v1alpha1/index.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function offlineValidate(objects: readonly unknown[]): string[] {
  const problems: string[] = [];
  for (const obj of objects) {
    if (!isRecord(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      problems.push('not a Kubernetes object (apiVersion/kind missing)');
      continue;
    }
    if (!obj.apiVersion.startsWith(`${GROUP}/`)) continue;
    const name = isRecord(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : '?';
    if (obj.apiVersion !== API_VERSION) {
      problems.push(`${obj.kind} ${name}: unsupported apiVersion ${obj.apiVersion} (want ${API_VERSION})`);
      continue;
    }
    const info = kindInfo(obj.kind);
    if (!info) {
      problems.push(`${obj.kind} ${name}: unknown kind in ${API_VERSION}`);
      continue;
    }
    const res = info.schema.safeParse(obj);
    if (!res.success) {
      for (const issue of res.error.issues) {
        problems.push(`${obj.kind} ${name}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
      }
    }
  }
  return problems;
}
