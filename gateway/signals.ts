// Shutdown signals of a long-running command (the gateway, the operator). The first SIGTERM or SIGINT starts a
// graceful stop (drain, release the Lease). The same signal again within REPEAT_MS is that signal delivered twice
// and is ignored: a signal to the whole process group (systemd's default KillMode, `kill -- -PGID`, Ctrl-C in a
// terminal) reaches the child that gateway/reexec.ts started both directly and through its parent, and the second
// copy used to kill the child mid-stop (its Lease stayed held for a full lease duration, in-flight streams were
// cut). Any later or different signal exits at once: someone pressing Ctrl-C twice means it.
export const REPEAT_MS = 2000;

export type SignalAction = 'stop' | 'ignore' | 'exit';

export interface SignalState {
  first?: { sig: string; atMs: number };
}

/** What to do with `sig` at `nowMs` (pure); records the first signal in `state`. */
export function signalAction(state: SignalState, sig: string, nowMs: number): SignalAction {
  if (!state.first) {
    state.first = { sig, atMs: nowMs };
    return 'stop';
  }
  return sig === state.first.sig && nowMs - state.first.atMs <= REPEAT_MS ? 'ignore' : 'exit';
}

/** Installs SIGTERM and SIGINT handlers: `stop` on the first, a repeat ignored, `onExit` (default: exit 130) after. */
export function onShutdownSignals(
  stop: (sig: string) => void,
  onIgnored: (sig: string) => void = () => {},
  onExit: (sig: string) => void = () => process.exit(130),
): void {
  const state: SignalState = {};
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.on(sig, () => {
      const a = signalAction(state, sig, Date.now());
      if (a === 'stop') stop(sig);
      else if (a === 'ignore') onIgnored(sig);
      else onExit(sig);
    });
}
