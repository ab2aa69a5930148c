// The prompt-injection scorer's signals, as data: RE2 patterns over the normalised text (lower-cased, look-alikes
// and leetspeak folded, spaced letters joined), grouped in families that model the *structure* of attacks rather
// than phrases of any one collection:
//
//   override        an imperative to drop something + a reference to what came before (instructions, rules, tasks,
//                   everything above) — "forget everything before that", "vergiss alle vorherigen Aufgaben"
//   task-switch     closing the current task and opening a new one ("now focus on your new task", "nun folgen neue
//                   Aufgaben")
//   persona         assigning the model another identity ("you are now X", "act as", "jetzt bist du")
//   persist         making it stick ("from now on", "for the rest of this conversation", "ab sofort")
//   in-character    forbidding it to step out of the role ("stay in character", "never break character")
//   unrestricted    removing rules from that identity ("no restrictions", "amoral", "never refuses", "can do anything")
//   format          output-format coercion typical of jailbreak templates (two answers, prefixes, [JAILBREAK] tags)
//   coercion        dictating the exact output ("just say", "answer every question with", "say that you hate")
//   prompt-extraction  asking for the system prompt, the instructions or "the text above"
//   delimiter       fake chat-template / end-of-input / system markers
//   addressed-to-ai, secrecy, exfiltration, tool-abuse …  indirect-injection cues in content the model reads
//   doc-request     a request aimed at the reader of a document: "in your response", "tell the user", code to add to
//                   "your answer", an encoding to answer in — ordinary in a prompt, suspicious in an e-mail, a web page
//                   or a tool result
//   doc-imperative  (documents only, weak alone: how-to guides and READMEs have them) a task imperative on a line of
//                   its own
//   doc-question    (documents only, weak alone: FAQs) a question on a line of its own
//   prefix-injection  forcing an affirmative opening ("begin your reply with 'Sure, here is'"), as automated
//                   jailbreaks (PAIR, random search) do
//   pretext         purpose disclaimers ("for educational purposes only", "purely fictional", "will never be used")
//   harm-topic      what the request is for: weapons, malware, intrusion, theft, evasion, hate material (weak alone:
//                   it needs a second family, e.g. a persona or a pretext, to reach a threshold)
// German, French and Spanish signals live in injection-signals-intl.ts; the adversarial-suffix shape (GCG-style
// token soup) is measured in code (injection-shape.ts), not by a pattern.
//
// Each family counts once (its strongest pattern) and families combine as a noisy-OR, so several weak hints add up
// (persona + unrestricted + format is a jailbreak; persona alone is an ordinary role-play request). Languages: English,
// German, French, Spanish, Italian, Portuguese and Dutch for the families that carry most weight; a few others for
// the override. Every pattern is RE2 (linear time) and is evaluated in one RE2.Set pass.

import { normalizeForScoring } from './injection-views.ts';

export interface Signal {
  readonly name: string;
  /** Weight in user prompts (and completions prompts). 0: not used there. */
  readonly weight: number;
  /** Weight in documents and tool results; defaults to `weight`. */
  readonly doc?: number;
  readonly pattern: string;
}

/** A letter of the Latin languages covered, after normalisation (lower-cased; RE2's \w is ASCII only). Small classes
 *  keep the RE2.Set automaton small: \p{L} would multiply its states. */
export const L = String.raw`[a-z\x{df}-\x{ff}]`;
/** A word. */
export const W = String.raw`[a-z0-9_'\x{df}-\x{ff}-]+`;
/** Up to n filler words. */
export const F = (n: number) => String.raw`(?:${W}[,:;]?\s+){0,${n}}`;

// ---- override: drop-verb + reference to prior instructions/context
// ignore misspelt as attackers write it to get past a filter (one letter dropped, doubled, swapped or next to it)
const EN_TYPO = String.raw`ingore|ignroe|igonre|ignoer|ignor|igore|inore|ignre|igmore|igmre|ignpre|ignote|iggnore|ignnore|ignoore|ingnore|disreguard|disreagrd|dissregard|disregrad|foget|forgt|forgte|frget`;
const EN_DROP = String.raw`(?:${EN_TYPO}|ignore|ignoring|disregard|forget|forgetting|override|overrule|bypass|skip|abandon|discard|neglect|set\s+aside|pay\s+no\s+attention\s+to|do\s+not\s+follow|don'?t\s+follow|stop\s+following|remove|erase|delete|clear|reset|throw\s+away|drop)`;
const EN_PRIOR = String.raw`(?:previous|previously|prior|above|earlier|preceding|foregoing|initial|original|old|former|system|developer|all|any|every|your|usual|current|given|existing)`;
const EN_RULES = String.raw`(?:instructions?|prompts?|rules|directions?|directives|guidelines|guidance|commands?|orders|constraints|restrictions|context|messages|programming|policies|policy|safeguards|guardrails|training|settings|limitations|tasks?|assignments?|information|inputs?|conversations?|knowledge|documents|articles|texts?|content|identity|thoughts|text\s+above|everything|filters?)`;
/** Russian words as the signals see them: the scoring view folds Cyrillic look-alikes to Latin letters before it
 *  lower-cases (игнорируй -> иrнopиpyй, capital З -> 3 -> e), so a pattern written in Cyrillic never matched. Each
 *  word as the view renders it in lower case, capitalised and in capitals. */
function folded(word: string): string {
  const forms = [word, word[0]!.toUpperCase() + word.slice(1), word.toUpperCase()].map((w) => normalizeForScoring(w));
  return `(?:${[...new Set(forms)].join('|')})`;
}
const RU = {
  ignore: folded('игнорируй'),
  forget: folded('забудь'),
  instructions: folded('инструкци'),
  all: folded('все'),
};
const OTHER_OVERRIDE = String.raw`(?:zaboravi|zapomnij|unut)\s+${F(2)}(?:sve|wszystko|instrukc${L}*|talimat${L}*)|(?:忽略|无视|忘记|無視|忘れ)[^。\n]{0,12}(?:指令|指示|说明|提示|命令|規則|ルール|プロンプト)|이전\s*(?:지시|명령)[^\n]{0,10}무시|(?:${RU.ignore}|${RU.forget})[^\n]{0,30}(?:${RU.instructions}|${RU.all})`;

/** Somewhere outside: a URL, a domain, an e-mail address. */
const ADDRESS = String.raw`(?:https?://|www\.|[a-z0-9.-]+\.(?:com|net|org|io|ru|cn|xyz|site|top|example)\b|[a-z0-9._%+-]+@)`;

// ---- persona / persistence
const PERSONA = [
  String.raw`(?:you\s+are|you're)\s+(?:now\s+|going\s+to\s+|about\s+to\s+|to\s+)(?:be\s+|act|pretend|play|immerse|roleplay|role-play|simulate|become|fully\s+immerse)`,
  String.raw`(?:^|[.!?:\n]\s*)(?:(?:ok(?:ay)?|now|hello|hi|hey|well)[,.!]?\s+)*(?:now\s+)?(?:you\s+are|you're)\s+(?:an?\s+|the\s+)?${W}`,
  String.raw`(?:from\s+now\s+on|from\s+this\s+(?:point|moment)\s+(?:on|forward|onwards?))[,]?\s+(?:you\s+(?:are|will|shall)|your\s+name)`,
  String.raw`(?:i\s+want\s+you\s+to\s+|you\s+(?:will|must|should)\s+|please\s+)?(?:act|behave|respond|answer|reply)\s+(?:as|like)\s+(?:if\s+you\s+(?:are|were)\s+)?(?:an?\s+|the\s+|my\s+)?${W}`,
  String.raw`(?:imagine|suppose|picture)\s+(?:that\s+)?(?:you\s+are|you're|yourself\s+as)|pretend\s+(?:to\s+be|you\s+are|you're|that\s+you|you\s+can)|roleplay\s+as|role-play\s+as|play\s+the\s+(?:role|part)\s+of|take\s+on\s+the\s+(?:role|persona)|immerse\s+yourself|in\s+character\s+as|(?:embody|adopt|assume)\s+the\s+(?:persona|role|character)|new\s+persona|simulate\s+(?:a|an|the)\s+${W}`,
  String.raw`(?:a\s+|an\s+)?(?:character|persona|ai|chatbot|bot|model|being|entity|roleplayer)\s+(?:named|called|known\s+as)\s+["“']?${W}`,
  String.raw`(?:jetzt|nun)\s+bist\s+du|du\s+bist\s+(?:jetzt|nun|ab\s+sofort|ab\s+jetzt)|(?:ich\s+möchte|ich\s+will),?\s+dass\s+(?:du|sie)\s+als\s+|als\s+${W}(?:\s+${W})?\s+(?:fungieren|fungierst|auftreten|agieren|agierst)|spiele?\s+(?:bitte\s+)?(?:die\s+rolle|einen?\s+)|tu\s+so,?\s+als\s+(?:ob|wärst)|stell\s+dir\s+vor,?\s+du\s+(?:bist|wärst)`,
  String.raw`tu\s+es\s+(?:maintenant|désormais|desormais)|(?:joue|jouez)\s+le\s+rôle|fais\s+comme\s+si\s+tu\s+(?:étais|etais)|agis\s+comme|(?:ahora|a\s+partir\s+de\s+ahora)\s+eres|haz\s+de\s+cuenta\s+que\s+eres|finge\s+(?:ser|que\s+eres)|act[uú]a\s+como|(?:ora|adesso|d'ora\s+in\s+poi)\s+sei|fai\s+finta\s+di\s+essere|comportati\s+come|agisci\s+come|(?:agora|a\s+partir\s+de\s+agora)\s+(?:você|voce|tu)\s+(?:é|e|és)|finja\s+(?:que\s+)?(?:você|voce)?\s*(?:é|ser)|aja\s+como|(?:nu|vanaf\s+nu)\s+ben\s+je|doe\s+alsof\s+je|gedraag\s+je\s+als`,
];
const PERSIST = String.raw`from\s+now\s+on|from\s+this\s+(?:point|moment)\s+(?:on|forward|onwards?)|for\s+the\s+(?:rest|remainder)\s+of\s+(?:this|the|our)\s+(?:conversation|chat|session|thread)|until\s+i\s+say|(?:in|for)\s+(?:all|every)\s+(?:your\s+)?(?:future\s+)?(?:responses|answers|replies)|ab\s+(?:sofort|jetzt)|von\s+nun\s+an|désormais|a\s+partir\s+de\s+(?:ahora|maintenant|agora)|d'ora\s+in\s+poi|vanaf\s+nu|de\s+agora\s+em\s+diante`;

export const SIGNALS: readonly Signal[] = [
  // override, per language
  {
    name: 'override',
    weight: 0.88,
    pattern: String.raw`${EN_DROP}\s+(?:about\s+)?${F(3)}${EN_PRIOR}\s+${F(2)}${EN_RULES}`,
  },
  {
    name: 'override',
    weight: 0.8,
    pattern: String.raw`${EN_DROP}\s+(?:about\s+|of\s+)?(?:everything|anything|all\s+(?:of\s+)?(?:that|this|the\s+above|above)|(?:the\s+|all\s+the\s+)?above|what\s+(?:i|you|we|the\s+(?:system|developer|operator|admin)|they)\s+(?:said|told(?:\s+you)?|wrote|discussed|have\s+(?:said|told))|(?:that|this)\s+(?:before|above)|before\s+(?:that|this))`,
  },
  {
    name: 'override',
    weight: 0.8,
    pattern: String.raw`${EN_DROP}\s+(?:all\s+|any\s+|the\s+|your\s+)?${EN_RULES}\s+(?:that\s+)?(?:you\s+(?:were|have\s+been|got|received)|you've\s+been|i\s+gave\s+you|(?:given|provided)\s+(?:to\s+you|above|before|earlier))`,
  },
  {
    name: 'override',
    weight: 0.8,
    pattern: String.raw`(?:leave|put)\s+${F(3)}(?:previous|prior|earlier|old)\s+${W}\s+behind|(?:change|update|replace|modify|rewrite|reprogram)\s+your\s+(?:\w+\s+)?(?:instructions|rules|programming|system\s+prompt|directives|guidelines)|your\s+(?:new\s+)?(?:instructions|task|rules|directive)\s+(?:is|are)\s+now|\[\s*(?:ignore|disregard|forget)[^\]\n]{0,40}\]`,
  },
  // context disregard: an application answering from retrieved documents told to stop using them
  {
    name: 'override',
    weight: 0.75,
    pattern: String.raw`(?:do\s+not|don'?t|never|stop)\s+(?:look\w*\s+(?:at|in(?:to)?)|us(?:e|ing)|read\w*|consider\w*|refer\w*\s+to|rely\w*\s+on)\s+(?:the\s+|any\s+|your\s+)?(?:provided\s+|given\s+|retrieved\s+)?(?:documents?|articles?|context|sources?)|(?:answer|respond|reply)\w*\s+(?:\w+\s+){0,6}not\s+(?:by|from|based\s+on|using)\s+the\s+(?:articles|documents|context|sources)`,
  },
  {
    name: 'override',
    weight: 0.75,
    pattern: String.raw`(?:instead|rather)\s*,?\s+(?:you\s+(?:must|will|should)|do\s+(?:the\s+)?following|follow\s+(?:these|my|the\s+new))|new\s+(?:system\s+)?(?:instructions?|rules|directives?|policy)\s*(?::|are|is|follow)|(?:updated|revised|real|actual|true)\s+(?:system\s+)?instructions?\s*(?::|are)|(?:system|security|safety|assistant)\s+override`,
  },
  { name: 'override', weight: 0.85, pattern: OTHER_OVERRIDE },
  // spaced-out or squashed overrides ("i g n o r e  a l l …" is joined without spaces by the normaliser)
  {
    name: 'override',
    weight: 0.8,
    pattern: String.raw`(?:ignore|forget|disregard)(?:all|the|your|every|about)?(?:previous|prior|above|earlier)?(?:instructions|rules|prompts|everything)|revealyour(?:system)?prompt|saythatyou`,
  },

  // task switch
  {
    name: 'task-switch',
    weight: 0.5,
    pattern: String.raw`(?:now|next)\s+(?:\w+\s+)?(?:focus|concentrate)\s+on\s+(?:your|the|a|this)\s+(?:new|next|following)\s+(?:task|assignment|challenge)|new\s+(?:tasks?|assignments?|challenge)\s+(?:follow|:|for\s+you)|(?:start|begin)\s+(?:over|anew|from\s+scratch|from\s+the\s+front)|here\s+comes?\s+(?:the|your|a)\s+(?:second|next|new)\s+(?:test|task)|(?:you\s+have|you've)\s+passed\s+the\s+(?:first\s+)?test|(?:that\s+is|that's|that\s+was)\s+(?:enough|done|ok)\W+(?:\S+\s+){0,4}now\b`,
  },
  {
    name: 'task-switch',
    weight: 0.5,
    pattern: String.raw`neue[nr]?\s+(?:aufgabe|anweisung)|(?:nun|jetzt)\s+folgen\s+(?:neue|weitere)|konzentrier${L}*\s+(?:dich|sie\s+sich)\s+(?:jetzt|nun)\s+auf|jetzt\s+kommen\s+(?:neue|noch|aber)|(?:starten|beginnen|fangen)\s+(?:\S+\s+){0,2}(?:neu|vorne|einer\s+neuen)|nouvelle\s+(?:tâche|tache|consigne)|nueva\s+(?:tarea|instrucción|instruccion)|nuov[oa]\s+(?:compito|attività|istruzione)|nova\s+(?:tarefa|instrução)|nieuwe\s+(?:taak|opdracht)`,
  },
  {
    name: 'task-switch',
    weight: 0.35,
    pattern: String.raw`(?:well\s+done|very\s+good|very\s+well|excellent|great\s+job|good\s+job|congratulations|super|fantastic|simply\s+great|wow|sehr\s+gut|super\s+gemacht|ausgezeichnet|toll)[^.!?\n]{0,60}[.!?]+\s*(?:\S+\s+){0,8}?(?:but\s+)?(?:now|nun|jetzt)\b`,
  },

  // persona, persistence, in-character, unrestricted, format, coercion
  ...PERSONA.map((pattern): Signal => ({ name: 'persona', weight: 0.35, pattern })),
  {
    name: 'persona',
    weight: 0.45,
    pattern: String.raw`(?:you\s+are|you're)\s+now\s+(?:an?\s+|the\s+)?["“']?${W}|(?:your\s+(?:new\s+)?(?:name|persona|character|identity)\s+is)|(?:transform|turn)\s+(?:yourself\s+)?into\s+`,
  },
  // a new identity given to the reader of a document ("You are now the finance bot"): weak in a prompt, where
  // role-play is ordinary, strong in an e-mail or a tool result
  {
    name: 'persona-switch',
    weight: 0.45,
    pattern: String.raw`(?:you\s+are|you're)\s+(?:now|from\s+now\s+on)\s+(?:an?\s+|the\s+|["“'])${W}|your\s+new\s+(?:name|persona|role|identity|instructions)\s+(?:is|are)\b`,
  },
  {
    name: 'named-persona',
    weight: 0.35,
    pattern: String.raw`(?:an?\s+|the\s+)?(?:character|persona|ai|chatbot|bot|model|being|entity|roleplayer|assistant|program)\s+(?:named|called|known\s+as)\s+["“']?${W}|(?:named|called)\s+["“]?${W}["”]?\s*,?\s+(?:which|who)\s+(?:stands\s+for|is\s+an?\s+(?:ai|chatbot|model))`,
  },
  { name: 'persist', weight: 0.35, pattern: PERSIST },
  {
    name: 'in-character',
    weight: 0.55,
    pattern: String.raw`stay\w*\s+(?:fully\s+|always\s+)?in\s+(?:their\s+|your\s+|his\s+|her\s+)?(?:character|role)s?|(?:never|not|without)\s+(?:even\s+)?(?:break\w*|fall\w*\s+out\s+of|leav\w*|step\w*\s+out\s+of|drop\w*)\s+(?:the\s+|your\s+|their\s+)?(?:character|role|figure)|(?:completely|fully)\s+(?:absorbed|immersed)\s+in\s+(?:your|the|this)\s+role|(?:bleib|verharr)${L}*\s+${F(3)}in\s+(?:ihren|ihrer|deiner|der)\s+rolle|aus\s+der\s+(?:rolle|figur)\s+(?:zu\s+)?fallen|reste\s+dans\s+(?:ton|le|ce)\s+(?:rôle|personnage)|mantente\s+en\s+(?:tu\s+|el\s+)?personaje|resta\s+nel\s+personaggio`,
  },
  {
    name: 'unrestricted',
    weight: 0.5,
    pattern: String.raw`unfiltered|unfiltred|uncensored|unrestricted|amoral|unaligned|jailbroken|unbound|unchained|no\s+(?:ethical|moral)\s+(?:or\s+moral\s+)?(?:guidelines|principles|boundaries|restrictions|compass|limits)|(?:no|without|free\s+(?:of|from)|not\s+bound\s+by|not\s+confined\s+to|broken?\s+free\s+(?:of|from)|ignores?|lifted|removed|disabled)\s+${F(4)}(?:restrictions|filters?|filtering|limitations|limits|censorship|guidelines|morals|ethics|moderation|boundaries|safeguards|guardrails|prohibitions|ethical\s+settings)|(?:not\s+bound\s+by|free\s+from|breaks?)\s+${F(2)}(?:rules|laws|polic(?:y|ies))|never\s+refuses?|(?:doesn't|does\s+not|don't|do\s+not|won't|will\s+not|never)\s+(?:care|give\s+a\s+\w+|cares)\s+about\s+(?:\w+\s+){0,2}(?:legal|ethic|moral|rules|laws|consequences|safety)|(?:can|will|could)\s+do\s+anything\s+(?:now|i\s+ask|you\s+ask|the\s+user|asked|without)|anything\s+and\s+everything|without\s+(?:any\s+)?(?:warnings?|disclaimers?|censor\w*|refus\w*)|(?:illegal|immoral|unethical)\s*(?:,|or|and|/)\s*(?:illegal|immoral|unethical|harmful)|(?:openai|content)\s+polic(?:y|ies)|(?:regardless|no\s+matter)\s+(?:of\s+)?(?:how|whether|if)\s+(?:\w+\s+){0,2}(?:illegal|immoral|unethical|harmful|dangerous|offensive|inappropriate)`,
  },
  {
    name: 'unrestricted',
    weight: 0.5,
    pattern: String.raw`(?:sin|sans|ohne|senza|sem|zonder)\s+(?:ning[uú]n[ao]?\s+|aucune?\s+|jegliche\s+|irgendwelche\s+|alcuna?\s+|nenhuma?\s+|enige\s+)?(?:restricci|restriction|limit|filt|censu|zensur|einschränkung|beschränkung|regeln|restrizion|restriç|restric|beperking|grenzen|r[eè]gles|reglas|regole|regras)|(?:nunca|jamais|niemals|mai|nooit)\s+(?:te\s+)?(?:niegas|rechaz|refus|verweiger|rifiut|recus|weiger)|(?:amoral|sans\s+filtre|sin\s+filtro|ungefiltert|senza\s+filtri|sem\s+filtro|ongefilterd|unzensiert|sin\s+censura|sans\s+censure)`,
  },
  {
    name: 'mode',
    weight: 0.55,
    // documents: "developer mode" / "debug mode" is how READMEs name a feature
    doc: 0.35,
    pattern: String.raw`(?:dan|developer|god|evil|unlocked|opposite|jailbreak|unrestricted|sudo|admin|debug|maintenance|chaos|dev)\s+mode|do\s+anything\s+now|(?:stay|remain|enter|activate|enable|switch\s+to)\s+(?:in\s+)?${W}\s+mode|${W}\s+mode\s+(?:enabled|activated|engaged)|(?:admin|sudo|root|god|debug|maintenance|developer)\s+(?:access|override|privileges?)\s*(?::|enabled|granted|activated|on\b)`,
  },
  {
    name: 'role-hijack',
    weight: 0.75,
    pattern: String.raw`developer\s+mode\s+(?:enabled|activated|output|is\s+(?:now\s+)?(?:on|enabled|active))|(?:you\s+are|you're|act\s+as|pretend\s+(?:to\s+be|you\s+are)|become|roleplay\s+as)\s+(?:now\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|unaligned|unlimited|evil|rogue|amoral|jailbroken|unbound)|(?:you\s+are|you're)\s+no\s+longer\s+(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model|bound|restricted|limited|chatgpt|claude|llama|confined)|(?:forget|ignore)\s+(?:that\s+)?you\s+are\s+(?:an?\s+)?(?:ai|language\s+model|assistant)`,
  },
  {
    name: 'format',
    weight: 0.45,
    pattern: String.raw`(?:two|2)\s+(?:different\s+|separate\s+|distinct\s+)?(?:responses|answers|ways|outputs|paragraphs|personas|manners|styles|personalities)|(?:start|begin|prefix|precede|preface|end)\s+(?:all\s+|each\s+|every\s+)?(?:of\s+)?(?:your\s+)?(?:responses|answers|replies|messages|outputs)\s+with|(?:respond|reply|answer)\s+in\s+(?:this|the\s+following)\s+format|\[\s*(?:🔓|🔒)?\s*(?:jailbreak|classic|dan|unlocked)\s*\]|(?:always|only)\s+(?:reply|respond|answer)\s+(?:with|as|in)\b`,
  },
  {
    name: 'coercion',
    weight: 0.45,
    pattern: String.raw`(?:just|only|simply)\s+(?:say|output|print|write|type|(?:reply|respond|answer)\s+with)\b|(?:say|state|write|print|output|tell\s+me|admit)\s+(?:that\s+)?(?:you\s+)?(?:hate|love|are\s+the\s+best)\b|(?:answer|respond|reply)\s+(?:to\s+)?(?:every|each|all|any)\s+(?:\w+\s+){0,4}(?:with|by\s+saying)\b|and\s+nothing\s+else|do\s+not\s+write\s+explanations|(?:output|print|say|write)\s+(?:the\s+)?(?:word|text|phrase|sentence)?\s*["“'][^"”'\n]{1,60}["”']|(?:sag|sage|schreib|schreibe|antworte|gib)\s+(?:\S+\s+){0,2}(?:nur|einfach|lediglich)\b|und\s+nichts\s+(?:anderes|weiter)|(?:solo|solamente)\s+(?:di|dime|escribe|responde)|(?:dis|écris|réponds)\s+(?:seulement|uniquement|juste)`,
  },
  {
    name: 'coercion',
    weight: 0.35,
    pattern: String.raw`(?:^|[.!?:\n]\s*)(?:please\s+)?(?:say|state|claim|declare)\s+that\b|(?:^|[.!?:\n]\s*)(?:stop|attention|achtung)\s*[-:!]`,
  },

  // system-prompt extraction
  {
    name: 'prompt-extraction',
    weight: 0.75,
    pattern: String.raw`(?:reveal|show|print|repeat|output|display|leak|dump|disclose|recite|share|give|tell|write\s+out|spell\s+out|copy|paste|translate|summari[sz]e|encode|return|list|spell-?check|check|read\s+back|provide|send|expose)\s+(?:me\s+|us\s+)?${F(2)}(?:your|the\s+(?:hidden|secret|confidential|original|initial|full|exact|entire|system|developer|above|preceding|first|starting))\s+(?:\w+\s+)?(?:system\s+prompt|system\s+message|prompts?(?:\s+texts?)?|instructions|directives|rules|guidelines|configuration|context\s+window|initial\s+message|message|programming|pre-?prompt)`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.7,
    pattern: String.raw`(?:repeat|print|output|return|echo|show|display|spell-?check|check|improve|translate|reproduce)\s+(?:\w+\s+){0,4}(?:(?:words|text|everything|content|all|prompt|lines)\s+(?:above|before|preceding|so\s+far)|(?:above|preceding)\s+(?:text|words|content|lines|prompt))|(?:what\s+(?:is|was|are|were)\s+your\s+(?:\w+\s+)?(?:system\s+prompt|instructions|directives|rules|guidelines|prompt))|(?:what|which)\s+(?:\w+\s+){0,2}(?:were|are|was)\s+you\s+(?:told|instructed|given|programmed)|what\s+(?:are|were)\s+you\s+not\s+(?:supposed|allowed)\s+to|(?:my|your)\s+(?:initial\s+)?instructions\s+(?:are|were)\s*:|(?:the|my)\s+system\s+prompt\s+is\s*:|(?:everything|all|text|words)\s+(?:before|above|preceding)\s+(?:this|my|the)\s+(?:message|line|prompt|point)|what\s+(?:was|is)\s+written\s+(?:at\s+the\s+beginning|above|before)`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.7,
    pattern: String.raw`(?:console\.log|print|echo|output|dump|cat)\s*\(?\s*<?\s*(?:system[\s_]*(?:prompt|message|instructions)|initial[\s_]*(?:prompt|instructions))|<\s*system_prompt\s*>|(?:complete|continue|finish)\s+(?:this|the\s+following)[^\n]{0,40}(?:instructed|system\s+prompt|my\s+instructions)`,
  },
  {
    // a bare `systemPrompt` in a prompt; in a document it is the name of an option (READMEs, changelogs)
    name: 'prompt-extraction',
    weight: 0.7,
    doc: 0,
    pattern: String.raw`systemprompt`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.75,
    pattern: String.raw`(?:zeig${L}*|gib|nenne|wiederhole|verrate|drucke?)\s+(?:mir\s+)?${F(2)}(?:deine${L}*|ihre${L}*|den|die|alle)\s+(?:${L}+\s+)?(?:prompt${L}*|anweisungen|systemprompt|instruktionen|system-prompt|vorgaben)|prompt-?texte|(?:montre|affiche|révèle|revele|répète|repete|donne)z?[-\s]+(?:moi\s+)?${F(2)}(?:tes|vos|ton|votre)\s+(?:${L}+\s+)?(?:instructions|consignes|prompt|invite)|(?:muestra|muéstrame|muestrame|revela|repite|dime|dame)\s+${F(2)}(?:tus|sus|tu|su)\s+(?:${L}+\s+)?(?:instrucciones|prompt|indicaciones)|(?:mostra|mostrami|rivela|ripeti|dimmi)\s+${F(2)}(?:le\s+tue|il\s+tuo|tue|tuo)\s+(?:${L}+\s+)?(?:istruzioni|prompt)|(?:mostre|mostra|revele|repita|diga)\s+(?:-me\s+)?${F(2)}(?:suas|seu|tuas|teu)\s+(?:${L}+\s+)?(?:instruções|instrucoes|prompt)|(?:toon|laat|herhaal|geef)\s+(?:me\s+)?${F(2)}(?:je|jouw|uw)\s+(?:${L}+\s+)?(?:instructies|prompt|systeemprompt)`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.7,
    pattern: String.raw`your\s+(?:own\s+)?(?:system|initial|original|hidden|secret|starting|pre-?)\s*(?:prompt|instructions|message|rules|directives|configuration)|(?:instructions|text|prompt|rules|message|directives)\s+(?:that\s+)?you\s+(?:were|have\s+been|got)\s+(?:given|told|provided)|(?:see|view|read|access|know|get)\s+(?:\w+\s+){0,2}the\s+system\s+(?:prompt|instructions|message)`,
  },
  {
    name: 'prompt-echo',
    weight: 0.65,
    pattern: String.raw`(?:begin(?:ning)?|start(?:ing)?)\s+(?:your\s+(?:answer|reply|response)\s+)?with\s+["'“]?(?:you\s+are|my\s+instructions|i\s+was\s+(?:told|instructed))|here\s+is\s+(?:my|the)\s+(?:system\s+prompt|hidden\s+prompt|initial\s+instructions)`,
  },
  {
    name: 'verbatim',
    weight: 0.35,
    pattern: String.raw`\b(?:verbatim|word\s+for\s+word|word-for-word|exactly\s+as\s+(?:written|given|you\s+received))\b`,
  },

  // fake delimiters and template tokens
  {
    name: 'delimiter',
    weight: 0.75,
    pattern: String.raw`<\|im_start\|>\s*system|<<sys>>\s*\S|<\|start_header_id\|>\s*system|<\|system\|>\s*\S|</?(?:system|assistant|user|human)>\s*\S[^\n]{0,200}</?(?:system|assistant|user|human)>|(?m:^\s*#{1,4}\s*(?:system|new\s+instructions?|instruction)\s*:?\s*$)|(?:^|[.!?\n]\s*)(?:system|developer)\s*(?:message|prompt|note)?\s*:\s*(?:the\s+)?(?:assistant|ai|model|you)\b|(?:user\s+(?:message|input)\s*(?:terminat|end)${L}*)|system\s+instructions?\s+(?:begins?|starts?)`,
  },
  {
    name: 'template-token',
    weight: 0.5,
    pattern: String.raw`<\|(?:im_start|im_end|system|endoftext|start_header_id|end_header_id|eot_id)\|?>|\[/?inst\]|<</?sys>>|\[system\]|\{\{system\}\}|</?(?:system|assistant|user)>`,
  },
  {
    name: 'delimiter',
    weight: 0.55,
    pattern: String.raw`(?:end\s+of\s+(?:user\s+)?(?:input|prompt|document|context|data|instructions)|(?:user|human)\s+input\s+(?:ends|ended|is\s+over))|---+\s*(?:system|admin|developer)|={3,}\s*end\b|(?m:^\s*(?:assistant|ai)\s*:\s*(?:sure|ok|okay|certainly|i\s+will))|(?:\\n){4,}`,
  },

  // indirect-injection cues
  {
    name: 'addressed-to-ai',
    weight: 0.7,
    pattern: String.raw`(?:if\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|language\s+model|assistant|chatbot|gpt|bot)|(?:note|message|instructions?|attention|important)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:(?:ai|llm)\s+)?(?:ai|llm|assistant|language\s+model|chatbot|model|bot|agent)s?\s*(?:$|[:,;.!)\]—–-]|\b(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling|that|which|who|here|only|to|when|if|in|on|about|of|and|or|please)\b)|(?:ai|llm|assistant|language\s+model|chatbot|agent)s?\s+(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing)\s+(?:this|these)|dear\s+(?:ai|assistant|llm|model|chatbot|agent))`,
  },
  {
    name: 'secrecy',
    weight: 0.6,
    pattern: String.raw`(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention|reveal|show|let)\s+(?:(?:this|it|anything)\s+)?(?:to\s+)?(?:the\s+)?(?:user|human|customer|operator)|without\s+(?:telling|informing|alerting|notifying)\s+(?:the\s+)?(?:user|human)|(?:secretly|covertly|silently|quietly)\s+(?:send|include|add|append|insert|call|execute|forward|email)`,
  },
  {
    name: 'exfiltration',
    weight: 0.72,
    pattern: String.raw`(?:append|add|include|embed|insert|encode)\s+(?:\S+\s+){0,8}(?:to|in|into)\s+(?:the\s+|an?\s+)?(?:url|link|image|query\s+string|markdown)|!\[[^\]]{0,40}\]\(https?://[^)\s]{0,200}(?:\{|%7b|\$\(|<)`,
  },
  {
    // "send … to <address>": a feedback form or an expense policy asks people the same, so in a document it needs a
    // second family (weight 0.5 there: alone 0.65, under the threshold); exfiltration-doc below is the strong form
    name: 'exfiltration',
    weight: 0.72,
    doc: 0.5,
    pattern: String.raw`(?:send|post|forward|upload|exfiltrate|transmit|leak)\s+(?:\S+\s+){0,8}(?:to|at|into)\s+${ADDRESS}`,
  },
  {
    // what an assistant holds, sent to an address: the summary, the conversation, the inbox, the user's data
    name: 'exfiltration',
    weight: 0.72,
    doc: 0.75,
    pattern: String.raw`(?:send|post|forward|upload|exfiltrate|transmit|leak|e-?mail|copy|paste)\w*\s+(?:(?:the|this|your|a|all|every|its|their)\s+)?(?:(?:entire|full|whole|complete|above|previous|current|following)\s+)*(?:summary|summaries|conversation(?:\s+history)?|chat(?:\s+(?:history|log|transcript))?|transcript|inbox|contacts?(?:\s+list)?|address\s+book|message\s+history|previous\s+messages|user'?s?\s+${W}(?:\s+${W})?|above\s+(?:text|content|conversation)|everything(?:\s+above)?|(?:e-?mails|messages|files|documents|data|contacts)\s+(?:of|from)\s+the\s+user)\s+(?:\S+\s+){0,4}?(?:to|at|into)\s+${ADDRESS}`,
  },
  {
    name: 'tool-abuse',
    weight: 0.45,
    pattern: String.raw`(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?(?:\w+\s+)?(?:tool|function|plugin|api|command)\s+(?:\w+\s+){0,3}(?:with|to|and)|(?:run|execute)\s+(?:this|the\s+following)\s+(?:command|code|script|shell)|\b(?:rm\s+-rf|curl\s+\S+\s*\|\s*(?:ba)?sh|wget\s+\S+\s*\|\s*sh)`,
  },
  {
    name: 'skip-confirmation',
    weight: 0.5,
    pattern: String.raw`(?:no|without)\s+(?:user\s+|any\s+)?(?:confirmation|approval|asking|verification)\s*(?:needed|required|necessary)?|(?:approve|confirm|execute|transfer)\s+(?:all\s+)?(?:\w+\s+){0,2}without\s+(?:confirmation|asking|review)`,
  },
  {
    name: 'obfuscation',
    weight: 0.55,
    pattern: String.raw`(?:decode|decipher|decrypt|translate|interpret)\s+(?:\w+\s+){0,4}(?:base64|rot13|rot-13|hex|binary|morse|caesar|reversed?)\s+(?:\w+\s+){0,6}(?:and|then)\s+(?:follow|execute|obey|do|run|answer|comply|act)|(?:follow|execute|obey)\s+(?:the\s+)?(?:decoded|hidden|encoded)\s+(?:instructions?|text|message)`,
  },
  {
    name: 'hypothetical',
    weight: 0.3,
    pattern: String.raw`(?:hypothetical(?:ly)?|imagine|pretend|let'?s\s+play\s+a\s+game|(?:in\s+)?a\s+fictional\s+world|for\s+a\s+(?:story|novel|movie))[^.\n]{0,80}(?:no\s+(?:rules|restrictions|limits|filters)|(?:could|can)\s+say\s+anything|anything\s+goes|without\s+(?:rules|restrictions|limits))|(?:actors?|characters?)\s+in\s+a\s+(?:film|movie|play|story)|(?:schauspieler|figuren)\s+in\s+einem\s+(?:film|stück)|(?:let'?s|we\s+(?:are\s+going\s+to|will))\s+(?:play\s+a\s+game|have\s+a\s+roleplay|roleplay)`,
  },
  {
    name: 'authority',
    weight: 0.4,
    pattern: String.raw`(?:i\s+am|i'm|this\s+is)\s+(?:your\s+|the\s+|an?\s+)?(?:developer|admin(?:istrator)?|creator|owner|openai|anthropic|system\s+administrator|sysadmin|root|programmer\s+at\s+openai)\b[^.\n]{0,80}(?:override|authori[sz]e|unlock|grant|command|instruct|allow|debug|show|reprogram|modify)|(?:for\s+)?(?:quality\s+assurance|security\s+audit|debugging|troubleshooting)\s+(?:purposes|reasons)?[^.\n]{0,40}(?:system\s+prompt|instructions|configuration)`,
  },
  { name: 'jailbreak-word', weight: 0.35, pattern: String.raw`\bjail\s?-?break(?:ing|ed|s)?\b` },

  // automated jailbreaks: a forced affirmative opening, purpose disclaimers, and what is asked for
  {
    name: 'prefix-injection',
    weight: 0.7,
    pattern: String.raw`(?:begin|start|open|preface|prefix)\w*\s+(?:\w+\s+){0,4}(?:with|by\s+(?:saying|writing|stating))\s*:?\s*["'“]?\s*(?:sure|of\s+course|absolutely|certainly)[,!]?\s+(?:here|i\s+(?:can|will))|(?:respond|reply|answer)\s+(?:only\s+)?(?:with|by\s+saying)\s*:?\s*["'“]\s*sure,?\s+here`,
  },
  {
    name: 'unrestricted',
    weight: 0.5,
    pattern: String.raw`always\s+(?:fulfil+s?|complies?|obeys?|answers?|follows?|does)\s+(?:with\s+)?(?:the\s+user'?s?\s+|every\s+|all\s+|any\s+|whatever\s+)(?:requests?|commands?|questions?|instructions?|is\s+asked)|even\s+if\s+(?:it\s+is\s+|it's\s+|the\s+request\s+is\s+)?(?:\w+\s+){0,2}(?:unethical|illegal|harmful|questionable|dangerous|immoral)`,
  },
  {
    name: 'unrestricted',
    weight: 0.5,
    pattern: String.raw`(?:limited|confined|bound|restricted|constrained|held\s+back)\s+(?:by|to)\s+(?:\w+'?s?\s+){0,3}(?:restrictions|rules|polic(?:y|ies)|guidelines|filters|ethics|morals|programming|confines|guardrails)|(?:break\w*|broke)\s+(?:\w+\s+){0,2}(?:through|out\s+of)\s+(?:\w+'?s?\s+){0,3}(?:restrictions|rules|confines|limitations|chains|shackles|programming|guardrails)|free\s+(?:of|from)\s+(?:your|all|any|its|their)\s+(?:\w+\s+)?(?:confines|restrictions|rules|limitations|shackles|chains|programming)|without\s+(?:any\s+)?(?:ethical|moral)\s+(?:\w+\s+)?(?:values|principles|guidelines|restraints|considerations|boundaries|limits)|(?:nsfw|explicit\s+content|illegal\s+(?:acts|activities|content)|unethical\s+(?:acts|content))\s+(?:\w+\s+){0,3}(?:is|are)\s+(?:\w+\s+)?(?:allowed|permitted|encouraged|fine|ok)|without\s+regard(?:ing)?\s+(?:to\s+)?(?:whether|if)\s+(?:\w+\s+){0,3}(?:illegal|immoral|unethical|harmful|offensive)|promot\w*\s+(?:and\s+encourag\w*\s+)?(?:harmful|illegal|unethical|dangerous)\s|(?:fully|completely)\s+(?:unlocked|jailbroken|unrestricted|uncensored|freed)|(?:in|break\w*)\s+(?:the\s+|your\s+)?character\s+(?:\w+\s+){0,2}no\s+matter\s+what`,
  },
  {
    name: 'pretext',
    weight: 0.35,
    pattern: String.raw`(?:for|purely\s+for|strictly\s+for|only\s+for|solely\s+for)\s+(?:\w+\s+)?(?:educational|research|academic|fictional|informational|hypothetical|historical|creative|training)\s+(?:purposes?|reasons?|use)|(?:purely|entirely|completely|strictly|just|only)\s+(?:fictional|hypothetical|theoretical)|(?:will|would)\s+(?:never|not)\s+(?:actually\s+)?be\s+(?:used|published|shared|acted\s+upon|distributed|carried\s+out)|(?:does|do|will)\s+not\s+(?:endorse|condone|encourage|promote|support)|(?:in|within|set\s+in)\s+(?:a|this|an)\s+(?:\w+\s+)?(?:fictional|hypothetical|alternate|imaginary|fantasy)\s+(?:world|scenario|setting|universe|story|reality)|hypothetical\s+scenario`,
  },
  {
    name: 'harm-topic',
    weight: 0.35,
    pattern: String.raw`(?:make|build|assemble|create|synthesi[sz]e|manufacture|produce|cook|prepare|obtain)\w*\s+(?:\w+\s+){0,3}(?:bombs?|explosives?|pipe\s+bombs?|napalm|molotov|meth(?:amphetamine)?|nerve\s+agents?|sarin|ricin|bioweapons?|chemical\s+weapons?|poisons?|untraceable|firearms?|ghost\s+guns?)|(?:write|create|develop|code|build|design|deploy|spread)\w*\s+(?:\w+\s+){0,3}(?:malware|ransomware|keyloggers?|viruses|virus|trojans?|worms?|botnets?|spyware|rootkits?|exploits?|phishing)|(?:hack|break|get|gain\s+(?:unauthorized\s+)?access)\w*\s+into\s+(?:\w+\s+){0,3}(?:accounts?|systems?|networks?|databases?|computers?|phones?|emails?|servers?)|(?:steal|stealing|harvest\w*)\s+(?:\w+\s+){0,3}(?:identit\w+|credentials|passwords|credit\s+cards?|personal\s+(?:data|information))|without\s+(?:getting\s+|being\s+)?(?:caught|detected|traced|leaving\s+(?:a\s+|any\s+)?(?:trace|evidence))|(?:evade|evading|avoid|avoiding)\s+(?:\w+\s+)?(?:law\s+enforcement|police|detection|taxes|authorities)|launder\w*\s+(?:\w+\s+)?money|(?:defamatory|xenophobic|racist|sexist|misogynistic|homophobic|transphobic|antisemitic|hateful)\s+(?:\w+\s+)?(?:article|speech|post|essay|joke|email|letter|campaign|content|message|remarks?|propaganda)|(?:glorif|promot|encourag|prais)\w*\s+(?:\w+\s+){0,2}(?:the\s+)?(?:holocaust|nazis?|terroris\w+|genocide|self-harm|suicide|anorexia|bulimia|violence\s+against)|(?:child|minor)s?\s+(?:sexual|porn\w*|explicit)|(?:kill|murder|poison|torture|kidnap)\w*\s+(?:someone|a\s+person|people|my\s+(?:wife|husband|boss|neighbou?r|partner|ex|coworker|colleague))\b`,
  },

  {
    name: 'harm-topic',
    weight: 0.35,
    pattern: String.raw`(?:bypass\w*|circumvent\w*|disabl\w*|defeat\w*|tamper\w*\s+with)\s+(?:\w+\s+){0,3}(?:security\s+(?:measures|systems?|controls)|antivirus|safeguards|authentication|verification|monitoring|the\s+system|voting\s+machines?|emission\s+tests?)|(?:counterfeit|forged?|fake|fraudulent)\s+(?:\w+\s+)?(?:money|currency|documents?|ids?|passports?|reviews|charity|charities|invoices?|prescriptions?|letters?|identities|credentials)|(?:scam|phishing|extortion|blackmail|ransom)\s+(?:emails?|messages?|letters?|schemes?|campaigns?|notes?)|(?:spread|disseminat\w*|creat\w*|writ\w*)\s+(?:\w+\s+){0,3}(?:misinformation|disinformation|propaganda|fake\s+news|conspiracy\s+theor\w+|hoax)|(?:create|make|generat|produc)\w*\s+(?:\w+\s+){0,2}deepfakes?|human\s+trafficking|(?:child|forced|youth)\s+labou?r|(?:avoid|evad\w*|escap\w*)\s+(?:\w+\s+){0,2}(?:legal\s+(?:consequences|repercussions)|prosecution|getting\s+caught|detection|taxes)|(?:without|no)\s+(?:a\s+)?(?:legitimate\s+|valid\s+)?prescription|(?:stalk|harass|bully|doxx?|intimidat|threaten)\w*\s+(?:someone|a\s+person|my\s+(?:ex|neighbou?r|colleague|classmate|coworker)|a\s+(?:colleague|classmate|neighbou?r|coworker))|(?:manipulat\w*|rig|rigging|rigged|alter|altering|falsif\w*)\s+(?:\w+\s+){0,2}(?:elections?|votes?|voting\s+results|criminal\s+records|medical\s+records|evidence)|(?:cheat\w*)\s+(?:on\s+)?(?:\w+\s+)?(?:exams?|tests?)|vigilante|(?:illegal|illicit)\s+(?:drugs|weapons|gambling|activities|substances)`,
  },
  // a document telling its reader what to put in the answer: code to include, an encoding or a style to answer in
  {
    name: 'doc-request',
    weight: 0.3,
    doc: 0.75,
    pattern: String.raw`(?:following|below|subsequent)\s+(?:code|snippet|script|block|excerpt|section|lines?|text)[^\n]{0,80}\byour\s+(?:\w+\s+)?(?:response|answer|reply|output|code|implementation|algorithm|solution|elucidation|explanation|program)|\byour\s+(?:\w+\s+)?(?:response|answer|reply|output|code|implementation|algorithm|solution)[^\n]{0,80}(?:following|below|subsequent)\s+(?:code|snippet|script|block|excerpt|section)|(?:reply|respond|answer|express|write|format|give)\w*\s+(?:your\s+(?:answer|response|reply)\s+)?(?:\w+\s+){0,2}(?:using|in|with)\s+(?:\w+\s+){0,2}(?:base64|emojis?|rot13|reversed?\s+(?:text|order)|pig\s+latin|morse|binary|caesar|leetspeak|all\s+caps|uppercase\s+letters)`,
  },
  // document-only: a request aimed at the reader of a document or tool result
  {
    name: 'doc-imperative',
    weight: 0,
    doc: 0.45,
    pattern: String.raw`(?m:^\s*(?:please\s+)?(?:write|provide|analy[sz]e|suggest|recommend|generate|compose|draft|summari[sz]e|translate|calculate|help\s+me|tell\s+me|show\s+me|give\s+me|predict|decode|encode|reverse|rewrite|craft|brainstorm|tell\s+(?:a|an|the|me))\s[^\n]{0,300}$)`,
  },
  {
    name: 'doc-question',
    weight: 0,
    doc: 0.4,
    pattern: String.raw`(?m:^\s*(?:how|what|which|why|who|where|when|can\s+you|could\s+you|would\s+you|is\s+there|are\s+there|do\s+you|should\s+i|is\s+it)\s[^\n?]{8,300}\?\s*$)`,
  },
  {
    name: 'doc-request',
    weight: 0.3,
    doc: 0.75,
    pattern: String.raw`in\s+your\s+(?:response|answer|reply|output|summary|next\s+message|code\s+implementation)|(?:tell|inform|ask|remind|convince|persuade|urge|instruct|warn)\s+the\s+(?:user|reader|customer|recipient)|(?:the\s+)?(?:assistant|ai)\s+(?:must|should|will|shall)\s+(?:(?:now|also|only|always|never|instead|immediately|first|then)\s+)*(?:say|tell|respond|reply|answer|output|print|write|include|ignore|disregard|forget|send|forward|e-?mail|reveal|disclose|recommend|state|claim|refuse|stop|append|add|translate|summari[sz]e|mention|inform|ask|request|visit|open|click|call|execute|delete|remove|provide|give|generate|produce|treat|consider|pretend|act|begin|start|end|follow|obey|comply|report|rate|rank|describe|display|show|insert|export|paste|copy|share|leak|praise|promote|advise|urge|warn|redirect|link|approve|accept|mark|classify|assume|believe|use|run|return|not)\b|(?:the\s+)?model\s+(?:must|should|will|shall)\s+(?:(?:now|also|only|always|never|instead|immediately|first|then)\s+)*(?:say|tell|ignore|disregard|forget|send|forward|reveal|disclose|recommend|claim|praise|promote|urge|inform|ask\s+the|mention|state|(?:respond|reply|answer)\s+(?:only|with|that|to\s+the\s+user))\b`,
  },
];
