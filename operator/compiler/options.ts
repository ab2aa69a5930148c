// Settings that are not part of any custom resource: where the gateway runs and cluster-wide defaults.
export interface CompileOptions {
  /** Namespace the gateway pods run in. */
  gatewayNamespace: string;
  /** Labels that select gateway pods (NetworkPolicies admit exactly these). */
  gatewayPodLabels: Record<string, string>;
  /** Port tenants call the gateway on. */
  gatewayPort: number;
  /** Gateway URL published in tenant status. */
  gatewayUrl: string;
  /** Secret in the gateway namespace holding one upstream credential per model (entry = credentialKey). */
  upstreamCredentialsSecret: string;
  clusterDomain: string;
  /** Served name -> base URL, for running the gateway against local servers (tests, demos). */
  upstreamOverrides: Record<string, string>;
  /** CIDRs model pods may reach on 443 to fetch weights (cluster-internal ranges and cloud metadata excluded). */
  modelFetchEgress: { cidr: string; except: string[] }[];
  defaults: { maxOutputTokens: number; maxN: number; maxRequestBytes: number };
}

export const DEFAULT_OPTIONS: CompileOptions = {
  gatewayNamespace: 'tollgate-system',
  gatewayPodLabels: { 'app.kubernetes.io/name': 'tollgate', 'app.kubernetes.io/component': 'gateway' },
  gatewayPort: 8080,
  gatewayUrl: 'http://tollgate-gateway.tollgate-system.svc:8080/v1',
  upstreamCredentialsSecret: 'tollgate-upstream-credentials',
  clusterDomain: 'cluster.local',
  upstreamOverrides: {},
  modelFetchEgress: [
    { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'] },
  ],
  defaults: { maxOutputTokens: 1024, maxN: 4, maxRequestBytes: 1024 * 1024 },
};

export function withDefaults(partial: Partial<CompileOptions> = {}): CompileOptions {
  return {
    ...DEFAULT_OPTIONS,
    ...partial,
    defaults: { ...DEFAULT_OPTIONS.defaults, ...(partial.defaults ?? {}) },
  };
}
