// Loaded with `node --import` into a gateway process by bench/gateway/mem-load.ts (`--alloc-profile FILE`):
// samples every allocation (V8's sampling heap profiler, one sample per 4 KB allocated on average, objects
// collected since included; `ALLOC_PROFILE_PROMOTED=1`: only what outlived the young generation) between SIGUSR1 (start) and SIGUSR2 (stop: the profile is written to
// ALLOC_PROFILE_FILE, then `ALLOC-PROFILE-WRITTEN` on stderr). Plain JavaScript (see mem-probe.mjs).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

process.on('SIGUSR1', () => {
  void post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    // ALLOC_PROFILE_PROMOTED=1: objects a scavenge collected are left out, so the profile shows what was
    // promoted to the old generation (and died there or lives on)
    includeObjectsCollectedByMinorGC: process.env.ALLOC_PROFILE_PROMOTED !== '1',
  });
});
process.on('SIGUSR2', () => {
  void post('HeapProfiler.stopSampling').then(({ profile }) => {
    writeFileSync(process.env.ALLOC_PROFILE_FILE ?? 'alloc.heapprofile', JSON.stringify(profile));
    process.stderr.write('ALLOC-PROFILE-WRITTEN\n');
  });
});
