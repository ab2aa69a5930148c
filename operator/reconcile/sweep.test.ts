import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../kube/object.ts';
import { tenantNetworkPolicyName } from '../compiler/tenant.ts';
import { tenantPoliciesToDelete } from './sweep.ts';

const GW = 'tollgate-system';
const np = (name: string, labels: Record<string, string> = {}, namespace = GW): KObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels },
});
const ns = (n: string) => ({ 'tollgate.dev/tenant-namespace': n });
const legacy = (n: string, t: string) => np(`tenant-${n}-${t}-0123abcd`, { ...ns(n), 'tollgate.dev/tenant': t });

test('tenantPoliciesToDelete: a namespace without tenants loses its policy; the old layout goes once the new one is there', () => {
  const cases: { name: string; nps: KObject[]; tenantsIn: string[]; want: string[] }[] = [
    { name: 'converged', nps: [np(tenantNetworkPolicyName('a'), ns('a'))], tenantsIn: ['a'], want: [] },
    {
      name: 'last tenant of a namespace deleted',
      nps: [np(tenantNetworkPolicyName('a'), ns('a')), np(tenantNetworkPolicyName('b'), ns('b'))],
      tenantsIn: ['a'],
      want: [tenantNetworkPolicyName('b')],
    },
    {
      name: 'one-per-tenant layout, the namespace policy not written yet: kept (no gap)',
      nps: [legacy('a', 'x'), legacy('a', 'y')],
      tenantsIn: ['a'],
      want: [],
    },
    {
      name: 'one-per-tenant layout next to the namespace policy: swept',
      nps: [legacy('a', 'x'), legacy('a', 'y'), np(tenantNetworkPolicyName('a'), ns('a'))],
      tenantsIn: ['a'],
      want: [legacy('a', 'x').metadata.name, legacy('a', 'y').metadata.name].sort(),
    },
    {
      name: 'old layout, tenants gone',
      nps: [legacy('c', 'x')],
      tenantsIn: [],
      want: [legacy('c', 'x').metadata.name],
    },
    {
      name: 'not a tenant policy, or not in the gateway namespace: left alone',
      nps: [np('tollgate-default-deny'), np(tenantNetworkPolicyName('a'), ns('a'), 'elsewhere')],
      tenantsIn: [],
      want: [],
    },
  ];
  for (const c of cases) {
    const have = new Set(c.tenantsIn);
    assert.deepEqual(
      tenantPoliciesToDelete(c.nps, GW, (n) => have.has(n)),
      c.want,
      c.name,
    );
  }
});
