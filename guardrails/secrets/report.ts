// Prints the compile report of the secret ruleset: per rule its status, holdback bound (longest match), keyword
// offset and the rewrites applied (capped repetitions, dropped prefix). `node guardrails/secrets/report.ts [--json]`
import { secretRuleset } from './ruleset.ts';

const r = secretRuleset();
if (process.argv.includes('--json')) console.log(JSON.stringify(r.report, null, 1));
else {
  console.log(`gitleaks ${r.source.version} (${r.source.commit}), ${r.rules.size} rules compiled`);
  for (const x of r.report) {
    console.log(
      `${x.id.padEnd(46)} ${x.source.padEnd(9)} ${x.status.padEnd(14)} ${String(x.maxLength ?? '').padStart(5)} ${String(x.keywordOffset ?? '').padStart(5)}  ${[x.reason, ...(x.rewrites ?? [])].filter(Boolean).join('; ')}`,
    );
  }
}
