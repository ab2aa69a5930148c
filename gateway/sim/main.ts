// `node gateway/sim/main.ts [--port N] [--host H] [--latency-ms N] [--inter-token-ms N] [--output-tokens N] [--api-key K] [--model NAME]...`
import { parseArgs } from 'node:util';
import { startSimulator } from './sim.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string', default: '0' },
    'inter-token-ms': { type: 'string', default: '0' },
    'output-tokens': { type: 'string', default: '16' },
    'api-key': { type: 'string' },
    model: { type: 'string', multiple: true },
  },
});
const sim = await startSimulator({
  port: Number(values.port),
  host: values.host,
  latencyMs: Number(values['latency-ms']),
  interTokenMs: Number(values['inter-token-ms']),
  outputTokens: Number(values['output-tokens']),
  ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
  ...(values.model ? { models: values.model } : {}),
});
process.stdout.write(`simulator listening on ${sim.url}\n`);
const stop = (): void => void sim.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
