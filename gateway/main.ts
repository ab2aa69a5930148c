// Container entry point: `node gateway/main.ts <gateway flags>` (the flags of `tollgate gateway`, without
// `-f`). It imports nothing from cli/ or operator/: a gateway-only image needs gateway/, api/, kube/ and
// guardrails/ (kube/boundaries.test.ts keeps it so).
import { main } from './command.ts';

process.exitCode = await main(process.argv.slice(2));
