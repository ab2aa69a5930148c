import { answers } from './bench/guardrails-redaction.ts';
import { redactionRules } from './guardrails/guard.ts';
import { StreamScanner } from './guardrails/scanner.ts';
const rules = redactionRules({ detectors: ['secrets', 'pii'], customPatterns: [{ name: 'customer-id', pattern: 'CUST-[0-9]{8}' }] });
const texts = [...answers('code', 60), ...answers('prose', 60), ...answers('json', 60)];
for (let rep = 0; rep < 3; rep++) for (const t of texts) { const sc = new StreamScanner(rules); for (let i = 0; i < t.length; i += 5) sc.push(t.slice(i, i + 5)); sc.end(); }
