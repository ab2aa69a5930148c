// Container entry point: `node gateway/main.ts <gateway flags>` (same flags as `tollgate gateway`).
import { main } from '../cli/main.ts';

process.exitCode = await main(['gateway', ...process.argv.slice(2)]);
