// Identical applies of one object, in flight at once, become one. Several new tenants of one namespace are
// reconciled side by side, and each one wants the namespace's NetworkPolicy in the gateway namespace: before the
// first apply is answered (and its result is in the cache) every other one would apply the same content again.
// Once an apply is answered its result goes into the cache, which then answers "up to date" by itself; so only
// what is in flight is remembered here, and a policy deleted or edited by hand later is applied again.

export class InFlightApplies {
  private readonly running = new Map<string, { content: string; done: Promise<boolean> }>();

  /**
   * Run `apply` for `key`, unless an apply of the same `content` for it is in flight: then wait for that one
   * (its failure is this caller's failure too) and report no write of our own (false).
   */
  async once(key: string, content: string, apply: () => Promise<boolean>): Promise<boolean> {
    const current = this.running.get(key);
    if (current && current.content === content) {
      await current.done;
      return false;
    }
    const entry = { content, done: apply() };
    this.running.set(key, entry);
    try {
      return await entry.done;
    } finally {
      if (this.running.get(key) === entry) this.running.delete(key);
    }
  }

  get size(): number {
    return this.running.size;
  }
}
