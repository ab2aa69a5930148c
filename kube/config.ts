// Where the API server is and how to authenticate: in-cluster service-account credentials, or a
// kubeconfig with certificates or a bearer token. This is all the operator and gateway need, and it
// avoids @kubernetes/client-node's KubeConfig, whose module graph pulls in the whole generated API
// (~85 MB of RSS, ~30 MB of heap measured on Node 24). Kubeconfigs that authenticate through an exec
// plugin or an auth provider are reported as such (`plugin`): the client then loads client-node for them.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface Connection {
  server: string;
  /** PEM */
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTlsVerify?: boolean;
  /** The bearer token, read again on each call when it comes from a file (projected tokens rotate). */
  token?: () => string;
  basic?: { username: string; password: string };
  /** Where it came from, for messages. */
  source: string;
}

export type Loaded =
  { kind: 'direct'; connection: Connection } | { kind: 'plugin'; path: string; server: string; why: string };

type Named<T> = { name?: string } & T;
interface RawKubeconfig {
  'current-context'?: string;
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function fileOrData(base: string, obj: Record<string, unknown>, fileKey: string, dataKey: string): string | undefined {
  const data = str(obj[dataKey]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(obj[fileKey]);
  if (!file) return undefined;
  return readFileSync(isAbsolute(file) ? file : join(base, file), 'utf8');
}

/** Parse a kubeconfig (YAML or JSON) and resolve its current context. Pure but for reading referenced files. */
export function fromKubeconfigText(text: string, path: string): Loaded {
  const raw = parseYaml(text) as RawKubeconfig | null;
  if (!raw || typeof raw !== 'object') throw new Error(`${path} is not a kubeconfig`);
  const ctxName = raw['current-context'];
  const ctx =
    raw.contexts?.find((c) => c.name === ctxName)?.context ??
    (raw.contexts?.length === 1 ? raw.contexts[0]?.context : undefined);
  if (!ctx) throw new Error(`${path}: no current context`);
  const cluster = raw.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new Error(`${path}: context names cluster ${String(ctx.cluster)}, which is not defined`);
  const user = raw.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const server = str(cluster['server']);
  if (!server) throw new Error(`${path}: cluster ${String(ctx.cluster)} has no server`);
  if (user['exec'] !== undefined || user['auth-provider'] !== undefined)
    return {
      kind: 'plugin',
      path,
      server: server.replace(/\/+$/, ''),
      why: user['exec'] !== undefined ? 'exec plugin' : 'auth provider',
    };
  const base = dirname(path);
  const c: Connection = { server: server.replace(/\/+$/, ''), source: path };
  const ca = fileOrData(base, cluster, 'certificate-authority', 'certificate-authority-data');
  if (ca) c.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) c.insecureSkipTlsVerify = true;
  const cert = fileOrData(base, user, 'client-certificate', 'client-certificate-data');
  const key = fileOrData(base, user, 'client-key', 'client-key-data');
  if (cert) c.cert = cert;
  if (key) c.key = key;
  const token = str(user['token']);
  const tokenFile = str(user['tokenFile']);
  if (token) c.token = () => token;
  else if (tokenFile)
    c.token = () => readFileSync(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile), 'utf8').trim();
  const username = str(user['username']);
  if (username) c.basic = { username, password: str(user['password']) ?? '' };
  return { kind: 'direct', connection: c };
}

/** In a pod: the API server from the environment, the projected service-account token (re-read: it rotates). */
export function inCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): Connection | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port || !existsSync(join(dir, 'token'))) return undefined;
  let cached = { at: 0, token: '' };
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    // Re-read at most once a minute (the kubelet refreshes the file well before expiry).
    token: () => {
      if (Date.now() - cached.at > 60_000)
        cached = { at: Date.now(), token: readFileSync(join(dir, 'token'), 'utf8').trim() };
      return cached.token;
    },
    source: 'in-cluster service account',
  };
}

/** An explicit path, else $KUBECONFIG (first entry), else in-cluster, else ~/.kube/config. */
export function loadConnection(path?: string, env: NodeJS.ProcessEnv = process.env): Loaded {
  const explicit = path ?? env['KUBECONFIG']?.split(':').find((p) => p !== '');
  if (explicit) return fromKubeconfigText(readFileSync(explicit, 'utf8'), explicit);
  const pod = inCluster(env);
  if (pod) return { kind: 'direct', connection: pod };
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return fromKubeconfigText(readFileSync(home, 'utf8'), home);
  throw new Error('no Kubernetes credentials: not in a pod, no --kubeconfig, no $KUBECONFIG, no ~/.kube/config');
}
