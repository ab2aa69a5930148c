// Waiting for a replica to acknowledge a reservation before the upstream is called (Sentinel, Cluster), so
// that a failover cannot lose an admitted reservation. WAIT blocks the connection it is sent on, so WAITs are
// coalesced per connection: one WAIT covers every write whose reply arrived before it was sent ("group
// commit"). Pure except for the `send` it is given.

export class AckBarrier {
  #inflight: Promise<number> | undefined;
  #next: Promise<number> | undefined;

  /** Resolves with the number of replicas that acknowledged every write completed before this call. */
  wait(send: () => Promise<number>): Promise<number> {
    if (this.#inflight === undefined) {
      const p = send();
      this.#inflight = p;
      const clear = (): void => {
        if (this.#inflight === p) this.#inflight = undefined;
      };
      p.then(clear, clear);
      return p;
    }
    // The WAIT in flight may have been sent before this caller's write: share the next one.
    this.#next ??= this.#inflight
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.#next = undefined;
        return this.wait(send);
      });
    return this.#next;
  }
}

// CRC16/XMODEM as Redis Cluster uses it for key slots (with `{hash tag}` extraction).
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function keySlot(key: string): number {
  let k = Buffer.from(key, 'utf8');
  const open = k.indexOf(0x7b); // {
  if (open >= 0) {
    const close = k.indexOf(0x7d, open + 1); // }
    if (close > open + 1) k = k.subarray(open + 1, close);
  }
  let crc = 0;
  for (const b of k) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc % 16384;
}
