import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { KubeClient } from './client.ts';
import { Informer, type EventOrigin, type InformerEvent } from './informer.ts';
import type { KObject } from './object.ts';
import { R } from './resources.ts';

const client = new KubeClient({ kind: 'direct', connection: { server: 'https://127.0.0.1:1', source: 'test' } });
const secret = (rv: string | undefined, data: string): KObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'ns', ...(rv === undefined ? {} : { resourceVersion: rv }) },
    data: { k: data },
  }) as KObject;

test('ingest: what this process wrote is an event of origin self; the same version on the watch is none; an edit is one', () => {
  const cases: { name: string; steps: [KObject, EventOrigin, string | undefined][] }[] = [
    {
      name: 'its own write, then the watch brings the same version: one self event',
      steps: [
        [secret('5', 'a'), 'watch', 'add/watch'],
        [secret('6', 'b'), 'self', 'update/self'],
        [secret('6', 'b'), 'watch', undefined],
      ],
    },
    {
      name: 'its own write, then someone edits it: the edit is a watch event',
      steps: [
        [secret('6', 'b'), 'self', 'add/self'],
        [secret('6', 'b'), 'watch', undefined],
        [secret('7', 'c'), 'watch', 'update/watch'],
      ],
    },
  ];
  for (const c of cases) {
    const inf = new Informer(client, R.Secret);
    const seen: string[] = [];
    inf.on((_o, e, _old, origin) => seen.push(`${e}/${origin}`));
    for (const [obj, origin, want] of c.steps) {
      const before = seen.length;
      inf.ingest('MODIFIED', obj, origin);
      assert.equal(seen[before], want, c.name);
      assert.equal(seen.length, before + (want === undefined ? 0 : 1), c.name);
    }
  }
});

test('ingest: a version already cached (written by this process, then seen on the watch) is not an event', () => {
  const cases: { name: string; steps: [KObject, InformerEvent | undefined][] }[] = [
    {
      name: 'the same resourceVersion twice: one event',
      steps: [
        [secret('5', 'a'), 'add'],
        [secret('5', 'a'), undefined],
      ],
    },
    {
      name: 'a newer version: an update',
      steps: [
        [secret('5', 'a'), 'add'],
        [secret('6', 'b'), 'update'],
      ],
    },
    {
      name: 'an older version arriving late is still an event (the reconciler re-reads)',
      steps: [
        [secret('6', 'b'), 'add'],
        [secret('5', 'a'), 'update'],
      ],
    },
    {
      name: 'without a resourceVersion every ingest is an event',
      steps: [
        [secret(undefined, 'a'), 'add'],
        [secret(undefined, 'a'), 'update'],
      ],
    },
  ];
  for (const c of cases) {
    const inf = new Informer(client, R.Secret);
    const seen: InformerEvent[] = [];
    inf.on((_o, e) => seen.push(e));
    for (const [obj, want] of c.steps) {
      const before = seen.length;
      inf.ingest('MODIFIED', obj);
      assert.equal(seen[before], want, c.name);
      assert.equal(inf.get('ns/s')?.metadata.resourceVersion, obj.metadata.resourceVersion ?? undefined, c.name);
    }
  }
});
