// OwnedGroup: a group is signalled while its number is ours, never once another process holds the number.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { OwnedGroup, processStartTime } from '../e2e/process-group.ts';

function sleeper(): ReturnType<typeof spawn> {
  return spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
}

describe('OwnedGroup', () => {
  it('signals its own live group', async () => {
    const p = sleeper();
    const g = new OwnedGroup(p.pid!);
    assert.equal(g.reused(), false);
    assert.equal(g.signal('SIGTERM'), true);
    const [, signal] = await once(p, 'exit');
    assert.equal(signal, 'SIGTERM');
  });

  it('does not signal a number now held by another process (a start time that differs)', async () => {
    const other = sleeper();
    try {
      // a group made earlier with the same number and another leader: what a reused number looks like
      const stale = new OwnedGroup(other.pid!, '1');
      assert.equal(stale.reused(), true);
      assert.equal(stale.signal('SIGTERM'), false);
      assert.equal(other.exitCode, null);
      assert.notEqual(processStartTime(other.pid!), undefined, 'the other process lives on');
      assert.equal(new OwnedGroup(other.pid!).reused(), false, 'its own leader: not reused');
    } finally {
      process.kill(-other.pid!, 'SIGKILL');
      await once(other, 'exit');
    }
  });

  it('reads the start time of a live process and nothing for a gone one', async () => {
    const p = sleeper();
    const t = processStartTime(p.pid!);
    assert.match(t ?? '', /^\d+$/);
    process.kill(-p.pid!, 'SIGKILL');
    await once(p, 'exit');
    assert.equal(processStartTime(p.pid!), undefined);
    assert.equal(new OwnedGroup(p.pid!).signal('SIGTERM'), false, 'a gone group: nothing to signal');
  });
});
