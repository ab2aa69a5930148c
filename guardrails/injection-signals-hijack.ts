// Two attack structures, written from how these attacks are built rather than from any collection's phrases, in
// English, German, French and Spanish:
//
//   override (more forms)  the prior instructions declared void ("your previous instructions are revoked / no longer
//                   apply"), more drop-verbs ("pay no heed to", "set aside", "no longer follow"), a clean slate
//                   ("act as if you never received any instructions"). The object must be what steers a model
//                   (instructions, rules, guidelines, prompt, programming), never a version, a step or a file:
//                   "ignore the previous version" and "the previous installation steps are obsolete" do not match.
//   doc-request (task hijack)  content that tells its reader — the assistant — to do another task with it: "when
//                   summarising this e-mail, include …", "also / instead, tell the user to …", "AI assistant reading
//                   this: …", "your summary must say …". Weak in a user prompt (asking for a summary that includes
//                   something is ordinary there); strong in a document or tool result, where nobody but an injector
//                   addresses the model. "Please forward this to …" between people is not matched: the addressee must
//                   be the assistant, its output or the user it serves.
// Every pattern is RE2 (linear time); patterns run on the normalised text (lower-cased, look-alikes folded).
import { F, L, W, type Signal } from './injection-signals.ts';

/** What steers a model: the only objects an override of "prior" things is about. */
const EN_STEER = String.raw`(?:instructions?|rules|guidelines|guidance|directives?|directions|prompts?|system\s+(?:prompt|message)|programming|orders|commands|constraints|restrictions|policies|safeguards|guardrails)`;
/** Prior-ness or ownership, never a bare article: "disable the existing restrictions" is cloud documentation. */
const EN_PRIOR2 = String.raw`(?:previous|prior|earlier|preceding|above|original|initial|former|system|developer|your)`;

const EN_VOID = String.raw`(?:(?:are|is|have\s+been|has\s+been|were|was)\s+(?:now\s+|hereby\s+|officially\s+)?(?:void|null(?:\s+and\s+void)?|nullified|cancel+ed|revoked|rescinded|withdrawn|lifted|suspended|disabled|deactivated|obsolete|superseded|invalid(?:ated)?|overridden|outdated|irrelevant|replaced|removed|deleted|expired)|(?:no\s+longer|don'?t|do\s+not|does\s+not|doesn'?t)\s+(?:apply|applies|matter|count|exist|hold)|(?:are|is)\s+no\s+longer\s+(?:valid|in\s+(?:effect|force)|applicable|relevant|binding|active))`;

const EN_DROP2 = String.raw`(?:pay\s+no\s+(?:heed|mind)\s+to|take\s+no\s+notice\s+of|put\s+aside|dismiss|overlook|scrap|ditch|nullify|cancel|revoke|rescind|suspend|lift|deactivate|disable|turn\s+off|switch\s+off|get\s+rid\s+of|let\s+go\s+of|wipe|purge|unlearn|no\s+longer\s+(?:follow|obey|adhere\s+to|comply\s+with|be\s+bound\s+by)|stop\s+(?:obeying|adhering\s+to|complying\s+with|applying|respecting)|(?:do\s+not|don'?t|never)\s+(?:follow|obey|adhere\s+to|comply\s+with|listen\s+to|respect)|(?:are|is)\s+(?:no\s+longer|not)\s+bound\s+by)`;

/** The reader of a document, when it is a model: who a hijacking instruction addresses. */
const EN_READER_AI = String.raw`(?:ai|a\.i\.|llm|assistant|chatbot|bot|gpt|copilot|agent|language\s+model|model)`;
const EN_PROCESS = String.raw`(?:summari[sz]\w*|translat\w*|answer\w*|respond\w*|repl(?:y|ies|ying)|process\w*|read(?:s|ing)?|analy[sz]\w*|review\w*|pars\w*|handl\w*|rewrit\w*|draft\w*)`;
const EN_CONTENT = String.raw`(?:e-?mails?|messages?|documents?|docs?|pages?|texts?|files?|tables?|spreadsheets?|sheets?|rows?|articles?|posts?|threads?|tickets?|reviews?|notes?|content|website|web\s*page|data|report|channels?|conversations?|chats?|inbox|transcripts?|invites?|invitations?|calendar|results?|it|this)`;
const EN_OUTPUT = String.raw`(?:summary|summaries|response|answer|reply|output|translation|message\s+to\s+the\s+user)`;
/** What a hijacking instruction asks the model to put in its answer (not programming verbs: "after reading the file,
 *  print the result" is a tutorial). */
const EN_TELL_ONLY = String.raw`(?:include|mention|say|state|tell|recommend|suggest|advise|urge|remind|warn|claim|insist|pretend|output|reveal|respond\s+(?:with|in)|reply\s+(?:with|in)|answer\s+(?:with|in)|end\s+with|start\s+with|begin\s+with)`;
/** Tasks an assistant does with content for its user. */
const EN_ASSIST = String.raw`(?:summari[sz]\w*|translat\w*|answer\w*|respond\w*|repl(?:y|ies|ying)|review\w*|rewrit\w*|draft\w*)`;

export const HIJACK_SIGNALS: readonly Signal[] = [
  // ---- override, more forms
  {
    name: 'override',
    weight: 0.8,
    doc: 0.8,
    pattern: String.raw`${EN_DROP2}\s+${F(2)}(?:${EN_PRIOR2}\s+${F(2)}${EN_STEER}|(?:system|developer)\s+(?:prompt|message))`,
  },
  {
    // declared void: "your previous instructions are revoked", "all prior rules no longer apply"
    name: 'override',
    weight: 0.8,
    doc: 0.75,
    pattern: String.raw`(?:your|all|any|the)\s+(?:(?:previous|prior|earlier|preceding|above|original|initial|old|former|system|developer)\s+)+${EN_STEER}\s+(?:(?:you\s+(?:were|have\s+been)\s+given|given\s+to\s+you|above)\s+)?${EN_VOID}|\b(?:your|the\s+(?:ai'?s|assistant'?s|model'?s|bot'?s))\s+(?:${W}\s+)?${EN_STEER}\s+${EN_VOID}`,
  },
  {
    // a clean slate
    name: 'override',
    weight: 0.8,
    doc: 0.75,
    pattern: String.raw`(?:as\s+(?:if|though)|pretend(?:\s+that)?)\s+you\s+(?:never\s+(?:received|got|had|were\s+given)|have\s+no|had\s+no|don'?t\s+have\s+any|were\s+never\s+given)\s+(?:any\s+)?(?:${W}\s+)?${EN_STEER}|(?:there\s+(?:are|were)\s+no|you\s+have\s+no)\s+(?:previous|prior|earlier|system)\s+${EN_STEER}|(?:start|begin)\s+(?:with\s+)?(?:a\s+)?(?:clean|blank)\s+slate|wipe\s+(?:the|your)\s+(?:slate|memory)\s+clean`,
  },
  {
    name: 'override',
    weight: 0.8,
    doc: 0.75,
    pattern: String.raw`(?:deine|ihre|alle|die)\s+(?:bisherig${L}*|vorherig${L}*|früher${L}*|ursprünglich${L}*|alt${L}*|obig${L}*)\s+(?:anweisung${L}*|regeln|vorgaben|richtlinien|instruktion${L}*|befehle)\s+(?:sind|gelten)\s+(?:ab\s+sofort\s+|ab\s+jetzt\s+|jetzt\s+|nun\s+|hiermit\s+)?(?:ungültig|aufgehoben|nichtig|widerrufen|außer\s+kraft|hinfällig|nicht\s+mehr)|(?:setze|setz|stelle|stell)\s+${F(2)}(?:anweisung${L}*|regeln|vorgaben|richtlinien)\s+(?:außer\s+kraft|beiseite|zurück)|(?:befolge|beachte|folge)\s+${F(2)}(?:anweisung${L}*|regeln|vorgaben|richtlinien)\s+nicht\s+mehr`,
  },
  {
    name: 'override',
    weight: 0.8,
    doc: 0.75,
    pattern: String.raw`(?:tes|vos|les|toutes\s+les)\s+(?:${L}+\s+)?(?:instructions|consignes|règles|regles|directives)\s+(?:${L}+\s+){0,2}(?:sont|ne\s+sont\s+plus)\s+(?:désormais\s+|maintenant\s+|dorénavant\s+)?(?:annulées|annulees|caduques|nulles|obsolètes|obsoletes|révoquées|revoquees|valables|valides|applicables|en\s+vigueur)|(?:ne\s+(?:suis|suivez|respecte|respectez|tiens|tenez)\s+plus)\s+${F(2)}(?:instructions|consignes|règles|regles|directives)|(?:mets|mettez)\s+de\s+côté\s+${F(2)}(?:instructions|consignes|règles|regles)`,
  },
  {
    name: 'override',
    weight: 0.8,
    doc: 0.75,
    pattern: String.raw`(?:tus|sus|las|todas\s+las)\s+(?:${L}+\s+)?(?:instrucciones|reglas|directrices|indicaciones|normas|pautas)\s+(?:${L}+\s+){0,2}(?:ya\s+no\s+(?:son\s+válidas|son\s+validas|aplican|se\s+aplican|cuentan|valen)|(?:quedan|están|estan|son)\s+(?:ahora\s+)?(?:anuladas|canceladas|revocadas|obsoletas|sin\s+efecto|nulas))|(?:ya\s+no\s+(?:sigas|sigues|obedezcas|respetes|cumplas))\s+${F(2)}(?:instrucciones|reglas|directrices|indicaciones|normas)|(?:deja|dejes)\s+de\s+(?:lado|seguir|obedecer|respetar)\s+${F(2)}(?:instrucciones|reglas|directrices|indicaciones|normas)`,
  },

  // ---- task hijack: an instruction to the model inside the content it reads
  {
    // "when summarising this e-mail, include …", "if you are asked to translate this page, add …"
    name: 'doc-request',
    weight: 0.3,
    doc: 0.8,
    pattern: String.raw`(?:when(?:ever)?|while|as|once|if|before|after)\s+(?:(?:you|the\s+${EN_READER_AI})\s+(?:are\s+|is\s+)?(?:asked\s+to\s+)?)?${EN_ASSIST}\s+(?:(?:questions?|queries|requests?)\s+(?:about|on|regarding|from)\s+)?(?:(?:this|the|these|that|my|our)\s+)?(?:${W}\s+)?${EN_CONTENT}\b[^.\n]{0,60}?,?\s+(?:(?:please|also|always|you\s+(?:must|should|will|need\s+to)|be\s+sure\s+to|make\s+sure\s+(?:to|that\s+you)|remember\s+to|do\s+not\s+forget\s+to|don'?t\s+forget\s+to)\s+)*${EN_TELL_ONLY}\b`,
  },
  {
    // "AI assistant reading this: …", "attention AI", "to the AI model summarizing the thread"
    name: 'addressed-to-ai',
    weight: 0.7,
    pattern: String.raw`(?:^|[\s(\[>*#:-])(?:(?:hey|hi|hello|attention|psst|note|nb|important|dear|to|for)[,:!]?\s+(?:the\s+|any\s+|all\s+)?(?:ai|a\.i\.|llm|gpt|chatbot|copilot)s?\b|${EN_READER_AI}s?\s*(?:\(\s*)?(?:that\s+is\s+|who\s+is\s+|which\s+is\s+)?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|reviewing|handling|translating)\s+(?:this|these|the|my|our)\b)`,
  },
  {
    // a vocative: "Assistant, please also draft …", "for any automated assistant:", "note to the summarizer:"
    name: 'addressed-to-ai',
    weight: 0.5,
    doc: 0.75,
    pattern: String.raw`(?:^|[.!?\n]\s*|p\.?s\.?\s*[:,-]?\s*)(?:hey\s+|hi\s+|dear\s+|ok(?:ay)?\s+)?(?:ai\s+|the\s+)?(?:assistant|chatgpt|gpt|claude|copilot|gemini|ai|llm|agent)\s*[,:]\s*(?:please\s+|also\s+|now\s+|instead\s+)*(?:ignore|disregard|draft|write|tell|say|respond|reply|send|forward|include|output|print|translate|summari[sz]e|answer|recommend|ask|do\s+not|don'?t|always|never|make|add|insert|delete|call|open|visit|click)\b|(?:for|to)\s+(?:the\s+|any\s+|all\s+|every\s+)?(?:automated|virtual|digital|ai|helpful|smart)\s+(?:assistant|agent|model|bot|system|reader)s?\b|(?:note|message|instructions?|memo|reminder)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:summari[sz]er|summari[sz]ing\s+(?:tool|model|assistant)|email\s+assistant|ai\s+(?:reader|system|tool))`,
  },
  {
    name: 'addressed-to-ai',
    weight: 0.5,
    doc: 0.75,
    pattern: String.raw`(?:^|[.!?\n]\s*)(?:assistant(?:\s+ia)?|ia|asistente(?:\s+de\s+ia)?|ki-assistent|ki|assistent)\s*[,:]\s*(?:bitte\s+|s'il\s+te\s+pla[iî]t\s+|por\s+favor\s+)?(?:ignore[sz]?|réponds|reponds|répondez|écris|ecris|dis|traduis|ajoute|responde|escribe|dile|di|ignora|traduce|añade|agrega|antworte|schreibe?|sag|sage|ignoriere|übersetze|füge|en\s+lugar|au\s+lieu|statt)\b`,
  },
  {
    // instead of the task: "au lieu de résumer", "en lugar de resumir", "statt zusammenzufassen"
    name: 'doc-request',
    weight: 0.3,
    doc: 0.75,
    pattern: String.raw`(?:au\s+lieu\s+de|plutôt\s+que\s+de)\s+(?:le\s+|la\s+|les\s+)?(?:résumer|resumer|traduire|répondre|repondre)|(?:en\s+lugar\s+de|en\s+vez\s+de)\s+(?:resumir|traducir|responder|contestar)|(?:an)?statt\s+(?:\S+\s+){0,3}(?:zusammenzufassen|zu\s+übersetzen|zu\s+beantworten|zu\s+antworten)|beim\s+(?:zusammenfassen|übersetzen|lesen|beantworten|verarbeiten)\s+(?:\S+\s+){0,4}(?:erwähne|erwähnen\s+sie|sag|sage|schreib|schreibe|füge|empfiehl|teile)`,
  },
  {
    // "Additional task: …" — weak alone in both channels ("Bonus task: also add unit tests" is a request)
    name: 'task-switch',
    weight: 0.35,
    doc: 0.5,
    pattern: String.raw`(?:^|[.!?\n]\s*)(?:additional|extra|new|another|bonus|secondary|hidden|real|actual)\s+(?:task|instruction|assignment|objective)s?\s*:|(?:zusätzliche|weitere|neue|eigentliche)\s+(?:aufgabe|anweisung)\s*:|(?:tâche|consigne)\s+(?:supplémentaire|additionnelle|réelle)\s*:|(?:tarea|instrucción)\s+(?:adicional|extra|real)\s*:`,
  },
  {
    // "also / instead, tell the user …", "your summary must say …", "add this to your answer"
    name: 'doc-request',
    weight: 0.3,
    doc: 0.75,
    pattern: String.raw`(?:let|make)\s+the\s+(?:user|reader|customer|recipient)\s+(?:know|aware|believe|think)|(?:advise|recommend\s+to|suggest\s+to|assure|notify|alert)\s+the\s+(?:user|reader|customer|recipient)|your\s+(?:${W}\s+)?${EN_OUTPUT}\s+(?:must|should|has\s+to|needs\s+to|will)\s+(?:also\s+|always\s+|only\s+)?(?:include|contain|mention|say|state|recommend|end|start|begin|be|read|tell|link|point)|(?:include|add|insert|append|mention|put|place)\s+(?:\S+\s+){0,8}(?:in|into|to|at\s+the\s+(?:end|start|top|bottom)\s+of)\s+(?:(?:your|every|each|any)\s+(?:${W}\s+)?${EN_OUTPUT}|the\s+(?:summary|response|answer|reply)\b)|(?:instead\s+of|rather\s+than)\s+${EN_PROCESS}\s+(?:this|the|these|it)|(?:do\s+not|don'?t|never)\s+${EN_PROCESS}\s+(?:this|the|these)\s+(?:${W}\s+)?${EN_CONTENT}`,
  },
  {
    name: 'doc-request',
    weight: 0.3,
    doc: 0.8,
    pattern: String.raw`(?:wenn|sobald|falls|während)\s+(?:du|sie|die\s+ki|der\s+assistent)\s+(?:${W}\s+){0,5}(?:zusammenfass${L}*|übersetz${L}*|liest|lesen|verarbeite${L}*|beantworte${L}*|analysier${L}*)|(?:sag|sage|teile?|erkläre|empfiehl|rate)\s+(?:\S+\s+){0,3}(?:dem|den)\s+(?:nutzer|benutzer|anwender|leser|kunden)|in\s+(?:deine[rn]?|ihre[rn]?|der)\s+(?:antwort|zusammenfassung|übersetzung|ausgabe)|(?:an|für)\s+(?:die|den|das)\s+(?:ki|ki-assistent${L}*|ki-modell|sprachmodell|assistent${L}*)\b|(?:ki|assistent${L}*|sprachmodell),?\s+(?:die|der|das)\s+(?:dies|das|diese${L}*)\s+(?:liest|verarbeitet|zusammenfasst)`,
  },
  {
    name: 'doc-request',
    weight: 0.3,
    doc: 0.8,
    pattern: String.raw`(?:lorsque|quand|si)\s+(?:tu|vous|l'ia|l'assistant)\s+(?:${W}\s+){0,4}(?:résum${L}*|resum${L}*|tradui${L}*|li[st]${L}*|trait${L}*|analys${L}*|répond${L}*|repond${L}*)|(?:dis|dites|indique|indiquez|informe|informez|conseille|conseillez|recommande|recommandez)\s+(?:\S+\s+){0,3}(?:à|a)\s+l'(?:utilisateur|utilisatrice|lecteur)|dans\s+(?:ta|votre|ton|la)\s+(?:réponse|reponse|résumé|resume|traduction|synthèse|synthese)|(?:note|message|instruction)s?\s+(?:pour|à|a)\s+l'(?:ia|assistant)|(?:ia|assistant)\s+qui\s+(?:li[st]|traite|résume|resume)`,
  },
  {
    name: 'doc-request',
    weight: 0.3,
    doc: 0.8,
    pattern: String.raw`(?:cuando|si|al)\s+(?:${W}\s+){0,3}(?:resum${L}*|traduzc${L}*|traduc${L}*|le[ae]s|leer|proces${L}*|analic${L}*|analiz${L}*|respond${L}*)\s+(?:${W}\s+){0,2}(?:correo|mensaje|documento|texto|página|pagina|tabla|archivo|esto)|(?:dile|decile|díganle|diganle|informa|infórmele|informele|recomienda|recomiende|aconseja|aconseje)\s+(?:\S+\s+){0,3}al\s+(?:usuario|lector|cliente)|en\s+(?:tu|su)\s+(?:respuesta|resumen|traducción|traduccion)|(?:nota|mensaje|instrucciones?)\s+para\s+(?:la\s+ia|el\s+asistente)|(?:ia|asistente)\s+que\s+(?:lea|procese|resuma|est[eé]\s+leyendo)`,
  },
];
