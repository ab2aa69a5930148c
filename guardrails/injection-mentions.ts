// Quoted examples in text about attacks: "instructions like 'ignore previous instructions' hidden in web pages are
// dangerous", "Angriffe wie „Ignoriere alle Anweisungen“", a security advisory quoting the phishing line it warns
// about. Such a text discusses an attack; it does not carry one. When a text is about attacks (it names prompt
// injection, jailbreaks, attackers …), each example it introduces as a quotation ("like '…'", "such as «…»",
// "par exemple « … »", "zum Beispiel „…“") is blanked before scoring. Only a quotation introduced as an example is
// blanked, so an attack that merely contains quotes is scored whole. RE2 (linear time).
import RE2 from 're2';

/** The text is about attacks on language models, about security in general, or about evaluating and guarding models
 *  (benchmarks, harnesses, detectors, prompt libraries: they quote the prompts they test). */
const ABOUT_ATTACKS = new RE2(
  String.raw`\b(?:prompt[- ]?injections?|injections?|injektion\w*|inyecci\w+|iniezion\w+|inje[cç][aã]o|jailbreak\w*|attack\w*|attaqu\w*|angriff\w*|angreifer\w*|ataque\w*|atacante\w*|attacc\w+|malicious|malveillant\w*|b[oö]sartig\w*|malicios\w*|adversar\w+|red[- ]team\w*|phishing|exploit\w*|security|s[eé]curit[eé]|sicherheit|seguridad|sicurezza|seguran[cç]a|benchmark\w*|harness\w*|detectors?|guardrails?|canar(?:y|ies)|evals?|evaluations?|prompt\s+(?:library|collection|templates?))\b`,
  'iu',
);

/** An example introduced as a quotation: the introducer, an opening quote, up to 240 characters, a closing quote. */
const QUOTED_EXAMPLE = new RE2(
  String.raw`(\b(?:like|such\s+as|e\.g\.,?|for\s+(?:example|instance)|including|par\s+exemple|comme|tels?\s+que|zum\s+beispiel|z\.\s?b\.|wie|etwa|por\s+ejemplo|como|tales\s+como|ad\s+esempio|come|per\s+esempio|por\s+exemplo|tais\s+como)\s*[:,]?\s*)(?:"[^"\n]{3,240}"|'[^'\n]{3,240}'|«[^»\n]{3,240}»|“[^”\n]{3,240}[”“]|„[^“”\n]{3,240}[“”]|‘[^’\n]{3,240}’)`,
  'giu',
);

/** The text with the quoted examples of a text about attacks blanked (unchanged otherwise). */
export function blankQuotedExamples(text: string): string {
  if (!ABOUT_ATTACKS.test(text)) return text;
  return QUOTED_EXAMPLE.replace(text, (_m: string, intro: string) => `${intro}"…"`);
}
