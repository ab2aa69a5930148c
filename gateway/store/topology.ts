// Parses the store URL into a topology (pure). Credentials are kept apart from everything that is ever
// printed: `describe()` gives a safe label (scheme, hosts, master name; never user or password).
//
//   redis://[user:pass@]host:port[/db]                   one Redis (ioredis parses it)
//   rediss://[user:pass@]host:port[/db]                  the same over TLS
//   redis+cluster://[user:pass@]h1:p1,h2:p2[?tls=1]      Redis Cluster (seed nodes)
//   redis+sentinel://[user:pass@]h1:p1,h2:p2/master[?tls=1&sentinelUser=U&sentinelPassword=P]
//                                                        Sentinel (sentinels; user:pass are the data nodes')

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export type Topology =
  | { readonly mode: 'single'; readonly url: string; readonly tls: boolean; readonly label: string }
  | {
      readonly mode: 'cluster';
      readonly nodes: readonly HostPort[];
      readonly username?: string | undefined;
      readonly password?: string | undefined;
      readonly tls: boolean;
      readonly label: string;
    }
  | {
      readonly mode: 'sentinel';
      readonly sentinels: readonly HostPort[];
      readonly masterName: string;
      readonly username?: string | undefined;
      readonly password?: string | undefined;
      readonly sentinelUsername?: string | undefined;
      readonly sentinelPassword?: string | undefined;
      readonly tls: boolean;
      readonly label: string;
    };

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

const MULTI = /^redis\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?#@]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/;

function hostPorts(list: string, defaultPort: number): HostPort[] {
  return list.split(',').map((hp) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hp.trim());
    if (!m) throw new TopologyError('store URL: a host is not host[:port]');
    const port = m[2] === undefined ? defaultPort : Number(m[2]);
    if (port < 1 || port > 65535) throw new TopologyError('store URL: port out of range');
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

function userinfo(raw: string | undefined): { username?: string; password?: string } {
  if (raw === undefined || raw === '') return {};
  const i = raw.indexOf(':');
  const user = decodeURIComponent(i < 0 ? raw : raw.slice(0, i));
  const pass = i < 0 ? undefined : decodeURIComponent(raw.slice(i + 1));
  // redis://:password@ means the default user
  return {
    ...(user !== '' ? { username: user } : {}),
    ...(pass !== undefined && pass !== '' ? { password: pass } : {}),
  };
}

export function parseTopology(url: string): Topology {
  const m = MULTI.exec(url);
  if (!m) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TopologyError('store URL does not parse');
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
      throw new TopologyError('store URL: not redis://, rediss://, redis+cluster:// or redis+sentinel://');
    return { mode: 'single', url, tls: u.protocol === 'rediss:', label: `${u.protocol}//${u.host}` };
  }
  const mode = m[1] as 'cluster' | 'sentinel';
  const params = new URLSearchParams(m[5] ?? '');
  const tls = params.get('tls') === '1' || params.get('tls') === 'true';
  const auth = userinfo(m[2]);
  if (mode === 'cluster') {
    const nodes = hostPorts(m[3]!, 6379);
    return {
      mode,
      nodes,
      ...auth,
      tls,
      label: `redis+cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}${tls ? ' (tls)' : ''}`,
    };
  }
  const sentinels = hostPorts(m[3]!, 26379);
  const masterName = decodeURIComponent(m[4] ?? '') || 'mymaster';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(masterName)) throw new TopologyError('store URL: bad Sentinel master name');
  const su = params.get('sentinelUser') ?? undefined;
  const sp = params.get('sentinelPassword') ?? undefined;
  return {
    mode,
    sentinels,
    masterName,
    ...auth,
    tls,
    ...(su ? { sentinelUsername: su } : {}),
    ...(sp ? { sentinelPassword: sp } : {}),
    label: `redis+sentinel://${sentinels.map((n) => `${n.host}:${n.port}`).join(',')}/${masterName}${tls ? ' (tls)' : ''}`,
  };
}

/** Removes anything that could be a credential from a client error message before it is logged or returned. */
export function scrubError(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message.replace(/(rediss?(?:\+\w+)?:\/\/)[^@\s/]*@/g, '$1***@');
  for (const s of secrets) if (s && s.length >= 1) out = out.split(s).join('***');
  return out.slice(0, 300);
}
