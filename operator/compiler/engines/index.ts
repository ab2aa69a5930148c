import type { Engine } from '../../../api/v1alpha1/index.ts';
import { llamacpp } from './llamacpp.ts';
import { ollama } from './ollama.ts';
import { tgi } from './tgi.ts';
import type { EngineAdapter } from './types.ts';
import { vllm } from './vllm.ts';

export type { EngineAdapter } from './types.ts';

const ADAPTERS: Record<Engine, EngineAdapter> = { vllm, ollama, tgi, llamacpp };

export function engineAdapter(engine: Engine): EngineAdapter {
  return ADAPTERS[engine];
}
