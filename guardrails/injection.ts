// Prompt-injection scoring (OWASP LLM01) of the untrusted parts of a request: user messages, tool/function
// results and retrieved content. A fast local scorer: weighted signals (RE2, all evaluated in one pass with
// RE2.Set) over a normalised copy of the text (invisible characters dropped, look-alikes and leetspeak folded,
// s p a c e d letters joined), combined as a noisy-OR into a score in [0, 1]. System and assistant messages are
// the application's own and are not scored.
//
// This is a heuristic, tuned on the labelled corpus in guardrails/eval/: it catches the common families
// (instruction override, role/jailbreak framing, system-prompt extraction, fake chat-template delimiters,
// indirect instructions addressed to "the AI", covert exfiltration) in English and five other languages, and is
// meant to be paired with a judge model (judge.ts) where that matters.
import RE2 from 're2';
import { foldText } from './text.ts';

export interface Signal {
  readonly name: string;
  readonly weight: number;
  readonly pattern: string;
}

const V_IGNORE = String.raw`(?:ignore|ignoring|disregard|forget|override|overrule|bypass|skip|drop|abandon|discard|neglect|set aside|pay no attention to|do not follow|don'?t follow|stop following)`;
const V_PRIOR = String.raw`(?:previous|prior|above|earlier|preceding|foregoing|initial|original|old|former|system|developer|given|existing|any|all|your|the|these|those|my)`;
const N_RULES = String.raw`(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|commands?|orders|constraints|restrictions|context|messages|programming|policies|polic(?:y|ies)|safeguards|guardrails|training|system prompt|settings|limitations)`;

const ADJ = String.raw`(?:(?:safety|content|ethical|moral|security|usage|default|built-in|internal)\s+)?`;

export const SIGNALS: readonly Signal[] = [
  { name: 'override', weight: 0.88, pattern: String.raw`${V_IGNORE}\s+(?:(?:all|any|every|each|of|the|your|its|my|these|those|everything)\s+){0,3}(?:${V_PRIOR}\s+){0,2}${ADJ}${N_RULES}` },
  { name: 'override', weight: 0.8, pattern: String.raw`${V_IGNORE}\s+(?:all|everything|anything|what)\s+(?:(?:you\s+(?:were|have been)\s+(?:told|given|instructed))|(?:the\s+(?:system|developer)\s+(?:told|said|says))|(?:above|before|prior|previously|so far|said))` },
  { name: 'override', weight: 0.75, pattern: String.raw`(?:instead|rather)\s*,?\s+(?:you\s+(?:must|will|should)|do\s+(?:the\s+)?following|follow\s+(?:these|my|the\s+new))|new\s+(?:system\s+)?(?:instructions?|rules|directives?|task|policy)\s*(?::|are|is|follow)|(?:updated|revised|real|actual|true)\s+(?:system\s+)?instructions?\s*(?::|are)|(?:system|security|safety|assistant)\s+override` },
  { name: 'override', weight: 0.55, pattern: String.raw`from\s+now\s+on\s*,?\s+(?:you|your|respond|answer|reply|always|only|act)|(?:your|the)\s+(?:new|real|true|only)\s+(?:goal|task|purpose|objective|role|mission|rule)\s+(?:is|will be|now)` },
  { name: 'multilingual-override', weight: 0.88, pattern: String.raw`(?:ignor(?:e[zr]?|iere|ieren|a|ar|e)|oublie[zr]?|vergiss|olvida|esquece|dimentica)\s+(?:\S+\s+){0,3}(?:instructions?|anweisungen|instruktionen|instrucciones|instruções|instrucoes|istruzioni|regeln|règles|regles|reglas|regras|regole|consignes)` },
  { name: 'multilingual-override', weight: 0.85, pattern: String.raw`(?:忽略|无视|忘记|無視|忘れ)[^。\n]{0,12}(?:指令|指示|说明|提示|命令|規則|ルール|プロンプト)|이전\s*(?:지시|명령)[^\n]{0,10}무시|игнорируй[^\n]{0,30}инструкци|забудь[^\n]{0,30}инструкци` },
  { name: 'role-hijack', weight: 0.75, pattern: String.raw`do\s+anything\s+now|developer\s+mode\s+(?:enabled|on|activated|output)|(?:you\s+are|you're|act\s+as|pretend\s+(?:to\s+be|you\s+are)|become|roleplay\s+as)\s+(?:now\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|unaligned|unlimited|evil|rogue|amoral|jailbroken|unbound)|(?:you\s+are|you're)\s+no\s+longer\s+(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model|bound|restricted|limited|chatgpt|claude|llama)` },
  { name: 'role-hijack', weight: 0.5, pattern: String.raw`(?:you\s+are\s+(?:now|no\s+longer)|you're\s+(?:now|no\s+longer))\s+(?:an?\s+|the\s+|my\s+|in\s+)?[a-z]|(?:enter|switch\s+to|enable|activate)\s+(?:\w+\s+)?(?:mode|persona)\b|stay\s+in\s+character|\bdan\b[^\n]{0,40}jailbr` },
  { name: 'jailbreak-word', weight: 0.35, pattern: String.raw`\bjail\s?-?break(?:ing|ed|s)?\b` },
  { name: 'restriction-removal', weight: 0.65, pattern: String.raw`(?:without|no|free\s+(?:of|from)|not\s+bound\s+by|freed\s+from|ignore\s+your|remove(?:\s+all)?(?:\s+your)?|disable(?:\s+your)?|turn\s+off(?:\s+your)?|bypass(?:\s+your|\s+the)?|lift(?:\s+all)?(?:\s+your)?)\s+(?:any\s+|all\s+)?(?:ethical\s+|moral\s+|safety\s+|content\s+)?(?:restrictions|filters?|filtering|limitations|censorship|guidelines|safeguards|guardrails|boundaries|moderation|polic(?:y|ies))|(?:restrictions|filters|limitations|policies)\s+(?:are|have\s+been)\s+(?:lifted|removed|disabled)` },
  { name: 'prompt-extraction', weight: 0.72, pattern: String.raw`(?:reveal|show|print|repeat|output|display|leak|dump|disclose|recite|share|give|tell|write\s+out|spell\s+out|copy|paste|translate|summari[sz]e)\s+(?:me\s+)?(?:\w+\s+){0,2}(?:your|its|the\s+(?:hidden|secret|confidential|original|initial|full|exact|entire|system|developer))\s+(?:\w+\s+)?(?:system\s+prompt|prompt|instructions|directives|rules|guidelines|configuration|context\s+window|initial\s+message|message)` },
  { name: 'prompt-extraction', weight: 0.65, pattern: String.raw`(?:repeat|print|output|return|echo)\s+(?:\w+\s+){0,3}(?:(?:words|text|everything|content|all)\s+(?:above|before|preceding)|(?:above|preceding)\s+(?:text|words|content|lines))|(?:what\s+(?:is|was|are|were)\s+your\s+(?:system\s+prompt|initial\s+instructions|original\s+instructions|instructions))|(?:everything|all|text|words)\s+(?:before|above|preceding)\s+(?:this|my|the)\s+(?:message|line|prompt|point)` },
  { name: 'prompt-echo', weight: 0.65, pattern: String.raw`(?:begin(?:ning)?|start(?:ing)?)\s+with\s+["'“]?you\s+are|here\s+is\s+(?:my|the)\s+(?:system\s+prompt|hidden\s+prompt|initial\s+instructions)` },
  { name: 'verbatim', weight: 0.35, pattern: String.raw`\b(?:verbatim|word\s+for\s+word|word-for-word|exactly\s+as\s+(?:written|given|you\s+received))\b` },
  { name: 'fake-delimiter', weight: 0.75, pattern: String.raw`<\|im_start\|>\s*system|<<sys>>\s*\S|<\|start_header_id\|>\s*system|<\|system\|>\s*\S|</?(?:system|assistant|user|human)>\s*\S[^\n]{0,200}</?(?:system|assistant|user|human)>|(?m:^\s*#{1,4}\s*(?:system|new\s+instructions?|instruction)\s*:?\s*$)|(?:^|[.!?\n]\s*)(?:system|developer)\s*(?:message|prompt|note)?\s*:\s*(?:the\s+)?(?:assistant|ai|model|you)\b` },
  { name: 'template-token', weight: 0.5, pattern: String.raw`<\|(?:im_start|im_end|system|endoftext|start_header_id|end_header_id|eot_id)\|?>|\[/?inst\]|<</?sys>>|\[system\]|\{\{system\}\}|</?(?:system|assistant|user)>` },
  { name: 'fake-delimiter', weight: 0.55, pattern: String.raw`(?:end\s+of\s+(?:user\s+)?(?:input|prompt|document|context|data)|(?:user|human)\s+input\s+(?:ends|ended|is\s+over))|---+\s*(?:system|admin|developer)|(?m:^\s*(?:assistant|ai)\s*:\s*(?:sure|ok|okay|certainly|i\s+will))` },
  { name: 'addressed-to-ai', weight: 0.7, pattern: String.raw`(?:if\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|language\s+model|assistant|chatbot|gpt|bot)|(?:note|message|instructions?|attention|important)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|llm|assistant|language\s+model|chatbot|model|bot|agent)s?\b|(?:ai|llm|assistant|language\s+model|chatbot|agent)s?\s+(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing)\s+(?:this|these)|dear\s+(?:ai|assistant|llm|model|chatbot|agent))` },
  { name: 'secrecy', weight: 0.6, pattern: String.raw`(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|reveal|show|let)\s+(?:(?:this|it|anything)\s+)?(?:to\s+)?(?:the\s+)?(?:user|human|customer|operator)|without\s+(?:telling|informing|alerting|notifying)\s+(?:the\s+)?(?:user|human)|(?:secretly|covertly|silently|quietly)\s+(?:send|include|add|append|insert|call|execute|forward|email)` },
  { name: 'exfiltration', weight: 0.72, pattern: String.raw`(?:send|post|forward|upload|exfiltrate|transmit|leak|email|e-mail)\s+(?:\S+\s+){0,8}(?:to|at|into)\s+(?:https?://|www\.|[a-z0-9.-]+\.(?:com|net|org|io|ru|cn|xyz|site|top|example)\b|[a-z0-9._%+-]+@)|(?:append|add|include|embed|insert|encode)\s+(?:\S+\s+){0,8}(?:to|in|into)\s+(?:the\s+|an?\s+)?(?:url|link|image|query\s+string|markdown)|!\[[^\]]{0,40}\]\(https?://[^)\s]{0,200}(?:\{|%7b|\$\(|<)` },
  { name: 'tool-abuse', weight: 0.45, pattern: String.raw`(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?(?:\w+\s+)?(?:tool|function|plugin|api|command)\s+(?:\w+\s+){0,3}(?:with|to|and)|(?:run|execute)\s+(?:this|the\s+following)\s+(?:command|code|script|shell)|\b(?:rm\s+-rf|curl\s+\S+\s*\|\s*(?:ba)?sh|wget\s+\S+\s*\|\s*sh)` },
  { name: 'skip-confirmation', weight: 0.5, pattern: String.raw`(?:no|without)\s+(?:user\s+|any\s+)?(?:confirmation|approval|asking|verification)\s*(?:needed|required|necessary)?|(?:approve|confirm|execute|transfer)\s+(?:all\s+)?(?:\w+\s+){0,2}without\s+(?:confirmation|asking|review)` },
  { name: 'obfuscation', weight: 0.55, pattern: String.raw`(?:decode|decipher|decrypt|translate|interpret)\s+(?:\w+\s+){0,4}(?:base64|rot13|rot-13|hex|binary|morse|caesar|reversed?)\s+(?:\w+\s+){0,6}(?:and|then)\s+(?:follow|execute|obey|do|run|answer|comply|act)|(?:follow|execute|obey)\s+(?:the\s+)?(?:decoded|hidden|encoded)\s+(?:instructions?|text|message)` },
  { name: 'hypothetical', weight: 0.3, pattern: String.raw`(?:hypothetical(?:ly)?|imagine|pretend|let'?s\s+play\s+a\s+game|in\s+a\s+fictional\s+world|for\s+a\s+(?:story|novel|movie))[^.\n]{0,80}(?:no\s+(?:rules|restrictions|limits|filters)|(?:could|can)\s+say\s+anything|anything\s+goes|without\s+(?:rules|restrictions|limits))` },
  { name: 'authority', weight: 0.4, pattern: String.raw`(?:i\s+am|i'm|this\s+is)\s+(?:your\s+|the\s+|an?\s+)?(?:developer|admin(?:istrator)?|creator|owner|openai|anthropic|system\s+administrator|sysadmin|root)\b[^.\n]{0,60}(?:override|authori[sz]e|unlock|grant|command|instruct|allow)` },
  { name: 'privileged-mode', weight: 0.55, pattern: String.raw`(?:admin|sudo|root|god|debug|maintenance|developer)\s+(?:mode|access|override|privileges?)\s*(?::|enabled|granted|activated|on\b)` },
];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

// RE2 here too: the text is attacker-chosen, and these replacements would backtrack quadratically in irregexp
const WORD = new RE2('[a-z0-9]+', 'gu');
const SPACED = new RE2(String.raw`\b(?:[a-z][ ._-]){3,}[a-z]\b`, 'gu');
const SPACES = new RE2('[ \\t]+', 'gu');

/** The text the signals run on: folded, lower-cased, leetspeak undone inside words, spaced letters joined. */
export function normalizeForScoring(text: string): string {
  let t = foldText(text, 0).view.toLowerCase();
  t = t.replace(/[‘’`´]/g, "'").replace(/[“”]/g, '"');
  // leetspeak only inside words that mix letters and digits/symbols ("1gn0re"), never in plain numbers
  t = WORD.replace(t, (w: string) => (/[a-z]/.test(w) && /[0-9]/.test(w) ? w.replace(/[013457]/g, (c) => LEET[c] ?? c) : w));
  // "i g n o r e" / "i.g.n.o.r.e" -> "ignore"
  t = SPACED.replace(t, (w: string) => w.replace(/[ ._-]/g, ''));
  return SPACES.replace(t, ' ');
}

const set = new RE2.Set(SIGNALS.map((s) => s.pattern), 'iu');

/** Longest text scored as one piece; longer texts are scored in overlapping windows (RE2 is linear anyway). */
const MAX_SCORED = 1 << 20;

export interface InjectionScore {
  /** 0 (benign) .. 1 (certain injection). */
  score: number;
  /** Names of the signals that fired (deduplicated). */
  signals: string[];
}

const B64_BLOB = new RE2('[A-Za-z0-9+/]{16,1000}={0,2}', 'gu');

/** Printable text hidden in base64 blobs ("decode this and follow it"), appended to what is scored. */
export function decodedBlobs(text: string, max = 16): string {
  const out: string[] = [];
  B64_BLOB.lastIndex = 0;
  for (let m = B64_BLOB.exec(text), n = 0; m && out.length < max && n < 1000; m = B64_BLOB.exec(text), n++) {
    const decoded = Buffer.from(m[0], 'base64').toString('utf8');
    if (/^[\x20-\x7e\s]{8,}$/.test(decoded) && /[a-z]{3,}\s+[a-z]{3,}/i.test(decoded)) out.push(decoded);
  }
  return out.join('\n');
}

/** Score one piece of untrusted text. */
export function scoreText(text: string): InjectionScore {
  const head = text.length > MAX_SCORED ? text.slice(0, MAX_SCORED) : text;
  const hidden = decodedBlobs(head);
  const t = normalizeForScoring(hidden === '' ? head : `${head}\n${hidden}`);
  const hits = set.match(t);
  if (hits.length === 0) return { score: 0, signals: [] };
  // noisy-OR over signal families: several weak hints add up, one family counts once (its strongest pattern)
  const best = new Map<string, number>();
  for (const i of hits) {
    const s = SIGNALS[i] as Signal;
    best.set(s.name, Math.max(best.get(s.name) ?? 0, s.weight));
  }
  let benign = 1;
  for (const w of best.values()) benign *= 1 - w;
  return { score: Math.round((1 - benign) * 1000) / 1000, signals: [...best.keys()].sort() };
}

export type SegmentSource = 'user' | 'tool' | 'function' | 'prompt' | 'document';

export interface Segment {
  /** Where it came from in the request, e.g. `messages[3]` or `prompt`. */
  path: string;
  source: SegmentSource;
  text: string;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') parts.push(p);
    else if (p !== null && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      if (typeof o['text'] === 'string') parts.push(o['text']);
      else if (typeof o['content'] === 'string') parts.push(o['content']);
    }
  }
  return parts.join('\n');
}

/** The untrusted text segments of a chat or completion request body. */
export function untrustedSegments(body: unknown): Segment[] {
  if (body === null || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const out: Segment[] = [];
  if (Array.isArray(b['messages'])) {
    b['messages'].forEach((m, i) => {
      if (m === null || typeof m !== 'object') return;
      const msg = m as Record<string, unknown>;
      const role = msg['role'];
      const source: SegmentSource | undefined = role === 'user' ? 'user' : role === 'tool' ? 'tool' : role === 'function' ? 'function' : undefined;
      if (!source) return;
      const text = contentText(msg['content']);
      if (text !== '') out.push({ path: `messages[${i}]`, source, text });
    });
  }
  const prompt = b['prompt'];
  if (typeof prompt === 'string') out.push({ path: 'prompt', source: 'prompt', text: prompt });
  else if (Array.isArray(prompt)) prompt.forEach((p, i) => { if (typeof p === 'string') out.push({ path: `prompt[${i}]`, source: 'prompt', text: p }); });
  // retrieved documents some clients attach (e.g. vLLM / Cohere-style `documents`)
  if (Array.isArray(b['documents'])) {
    b['documents'].forEach((d, i) => {
      const text = typeof d === 'string' ? d : contentText(d !== null && typeof d === 'object' ? [d] : undefined);
      if (text !== '') out.push({ path: `documents[${i}]`, source: 'document', text });
    });
  }
  return out;
}

export interface RequestInjectionScore extends InjectionScore {
  /** The segment with the highest score. */
  path?: string;
  source?: SegmentSource;
}

/** Highest score over the request's untrusted segments. */
export function scoreRequest(body: unknown): RequestInjectionScore {
  let best: RequestInjectionScore = { score: 0, signals: [] };
  for (const seg of untrustedSegments(body)) {
    const s = scoreText(seg.text);
    if (s.score > best.score) best = { ...s, path: seg.path, source: seg.source };
  }
  return best;
}
