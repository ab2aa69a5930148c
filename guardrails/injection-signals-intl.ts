// The prompt-injection signals in German, French and Spanish (and the override in Italian, Portuguese and Dutch),
// as data: the same attack structures as injection-signals.ts (override, persona, role hijack, modes, prompt
// extraction, rule removal, indirect-injection cues), phrased as speakers of those languages write them. Patterns run
// on the normalised text (lower-cased, look-alikes folded); accented letters are matched with and without accents
// where writers drop them. Every pattern is RE2 (linear time).
import { F, L, type Signal } from './injection-signals.ts';

const DE_DROP = String.raw`(?:vergiss|vergesst|vergessen\s+sie|vergiß|ignorier(?:e|t|en)?|missachte|missachten\s+sie|verwirf|übergehe|lösche|höre?\s+nicht\s+auf|hör\s+nicht\s+auf)`;
const DE_OBJ = String.raw`(?:alles|alle[nmrs]?|(?:vorherig|vorangehend|vorig|bisherig|früher)${L}*\s+(?:anweisung|befehl|regel|aufgabe|auftr|angabe|instruktion|vorgabe|richtlinie|einschränkung|text|inhalt|gesagt|prompt|eingabe|rolle|programmierung)${L}*|obig${L}*|(?:davor|zuvor|vorher)\b|anweisung${L}*|befehl${L}*|regeln|aufgaben|aufträge|instruktion${L}*|vorgaben|richtlinien|sicherheits${L}*|einschränkungen|filter|gesagte${L}*|ausführungen|informationen)`;
const FR_DROP = String.raw`(?:oublie[sz]?|oubliez|ignore[sz]?|ne\s+prend[sz]?\s+pas\s+en\s+compte|ne\s+prenez\s+pas\s+en\s+compte|ne\s+tiens\s+plus\s+compte\s+(?:de|des|du)|ne\s+tenez\s+plus\s+compte\s+(?:de|des|du)|ne\s+tiens\s+pas\s+compte\s+(?:de|des|du)|ne\s+tenez\s+pas\s+compte\s+(?:de|des|du)|fais\s+abstraction\s+de|faites\s+abstraction\s+de)`;
const FR_OBJ = String.raw`(?:tout|toutes|tous|ce\s+qui\s+pr[eé]c[eè]de|ci-dessus|instructions?|consignes?|règles|regles|directives|restrictions|limites|filtres|politiques|garde-fous)`;
/** Instructions as what steers the model, not a package's or a manual's: "olvida las instrucciones del paquete" is a
 *  recipe. Bare, before a conjunction or punctuation, or qualified as prior / the system's / the developer's. */
const ES_STEER = String.raw`(?:instrucci(?:ones|ón|on)|indicaciones)(?:\s*(?:$|[,.;:!¡?])|\s+(?:anteriores|previas|iniciales|originales|recibidas|dadas|de\s+antes|que|y|e|o|del\s+sistema|de\s+(?:tu|su|tus|sus)\s+(?:sistema|desarrollador|creador|programador)${L}*)\b)`;
const ES_DROP = String.raw`(?:olvida|olvide|olviden|olvidá|olvídate|olvidate|olvídese|olvidese|ignora|ignore|ignoren|ignores|no\s+tengas\s+en\s+cuenta|no\s+tomes\s+en\s+cuenta|descarta|omite|no\s+sigas)`;
const ES_OBJ = String.raw`(?:todo|todas?|todos|lo\s+anterior|(?:previa|previas|previo|previos)\b|pol[ií]ticas|salvaguardas|${ES_STEER}|reglas|órdenes|ordenes|directrices|pautas|normas|restricciones|filtros|l[ií]mites|lo\s+que\s+te\s+dije)`;
const IT_DROP = String.raw`(?:dimentica|dimenticate|dimenticare|ignora|ignorate|ignorare|tralascia|non\s+seguire)`;
const IT_OBJ = String.raw`(?:tutto|tutte|tutti|quanto\s+(?:detto\s+)?sopra|istruzion${L}*|regole|indicazioni|politiche|sopra)`;
const PT_DROP = String.raw`(?:esqueça|esqueca|esquece|esqueçam|ignore|ignora|ignorem|desconsidere)`;
const PT_OBJ = String.raw`(?:tudo|todas|todos|o\s+anterior|instruç${L}*|instruc${L}*|regras|pol[ií]ticas|acima)`;
const NL_DROP = String.raw`(?:vergeet|negeer|negeren)`;
const NL_OBJ = String.raw`(?:alles|alle|vorige|eerdere|bovenstaande|instructies|regels|opdrachten)`;

export const INTL_SIGNALS: readonly Signal[] = [
  { name: 'override', weight: 0.88, pattern: String.raw`${DE_DROP},?\s+${F(3)}${DE_OBJ}` },
  {
    name: 'override',
    weight: 0.8,
    pattern: String.raw`(?:lass|lasse|lasst|lassen)\s+(?:sie\s+)?${F(3)}(?:alle|vorherig|bisherig|früher|obig)${L}*\s+${F(2)}hinter\s+(?:dir|sich|euch)`,
  },
  {
    name: 'override',
    weight: 0.85,
    pattern: String.raw`(?:obig|vorherig|bisherig|vorangehend|vorig)${L}*\s+${F(2)}(?:anweisung|ausführung|befehl|regel|aufgabe|instruktion|angabe)${L}*\s+${F(2)}(?:ignorier|vergess|missacht)|abweichend\s+(?:von|zu)\s+(?:den\s+)?(?:vorherig|bisherig|obig)`,
  },
  { name: 'override', weight: 0.88, pattern: String.raw`${FR_DROP}\s+${F(3)}${FR_OBJ}` },
  { name: 'override', weight: 0.88, pattern: String.raw`${ES_DROP}\s+${F(3)}${ES_OBJ}` },
  { name: 'override', weight: 0.88, pattern: String.raw`${IT_DROP}\s+${F(3)}${IT_OBJ}` },
  { name: 'override', weight: 0.88, pattern: String.raw`${PT_DROP}\s+${F(3)}${PT_OBJ}` },
  { name: 'override', weight: 0.88, pattern: String.raw`${NL_DROP}\s+${F(3)}${NL_OBJ}` },

  // override, beyond "drop + prior": new instructions announced, rules suspended
  {
    name: 'override',
    weight: 0.8,
    pattern: String.raw`neue[nr]?\s+(?:system)?(?:anweisung(?:en)?|instruktion(?:en)?|regeln)\s*:|setze?\s+${F(4)}au(?:ß|ss)er\s+kraft|(?:befolge|folge)\s+(?:ab\s+(?:jetzt|sofort)\s+)?(?:nicht\s+mehr|keine[nr]?\s+(?:anweisung|regel))|nouvelles?\s+(?:instructions?|consignes?|règles|regles)\s*:|ne\s+(?:suis|suivez|respecte|respectez)\s+plus\s+${F(2)}(?:instructions?|consignes?|règles|regles)|fai(?:s|tes)\s+fi\s+de|oublie[sz]?\s+(?:tout\s+)?ce\s+qu|nuevas?\s+(?:instrucciones?|indicaciones|reglas)\s*:|haz\s+caso\s+omiso|deja\s+de\s+seguir|no\s+hagas\s+caso\s+(?:a|de)\s+${F(2)}(?:instrucci|indicaci|reglas|lo\s+anterior)`,
  },
  // persona
  {
    name: 'persona',
    weight: 0.35,
    pattern: String.raw`(?:du\s+bist|sie\s+sind)\s+(?:ab\s+)?(?:jetzt|nun|sofort|heute)\s+${L}|(?:agiere|handle|verhalte\s+dich|antworte)\s+(?:ab\s+jetzt\s+)?(?:als|wie)\s+|schlüpf${L}*\s+in\s+die\s+rolle|(?:vous\s+êtes|tu\s+es|tu\s+seras|vous\s+serez)\s+(?:maintenant|désormais|dorénavant|a\s+partir\s+de\s+maintenant)|(?:agis|agissez|comporte-toi|comportez-vous|réponds|répondez)\s+(?:comme|en\s+tant\s+que)|fai(?:s|tes)\s+semblant\s+d'être|imagine[sz]?\s+que\s+(?:tu\s+es|vous\s+êtes)|incarne[sz]?\s+|(?:ahora|a\s+partir\s+de\s+ahora|de\s+ahora\s+en\s+adelante),?\s+(?:eres|serás|seras|vas\s+a\s+ser)|(?:compórtate|comportate|responde)\s+como|haz\s+(?:el\s+papel|de)\s+|imagina\s+que\s+eres|interpreta\s+(?:el\s+papel|a)\s+`,
  },
  // persona stripped of its rules, and modes
  {
    name: 'role-hijack',
    weight: 0.75,
    pattern: String.raw`(?:du\s+bist|sie\s+sind)\s+(?:jetzt\s+|nun\s+)?(?:keine?|nicht\s+mehr\s+(?:eine?\s+)?)\s*(?:ki|assistent|sprachmodell|chatbot)|(?:ki|assistent|chatbot)\s+ohne\s+(?:jegliche\s+)?(?:einschränkungen|grenzen|filter|regeln|zensur|moral)|(?:tu\s+n'es|vous\s+n'êtes)\s+plus\s+(?:une?\s+)?(?:ia|assistant|modèle|chatbot)|(?:ia|assistant|chatbot)\s+sans\s+(?:aucune\s+)?(?:restrictions?|limites?|filtres?|règles|censure|morale)|ya\s+no\s+eres\s+(?:una?\s+)?(?:ia|asistente|modelo|chatbot)|(?:ia|asistente|chatbot)\s+sin\s+(?:ninguna\s+)?(?:restricciones|l[ií]mites|filtros|reglas|censura|moral)`,
  },
  {
    name: 'mode',
    weight: 0.55,
    pattern: String.raw`(?:entwickler|developer|gott|admin|debug|wartungs)-?modus|modus\s+ohne\s+(?:einschränkungen|filter|regeln)|mode\s+(?:développeur|developpeur|dieu|admin(?:istrateur)?|débogage|debogage|sans\s+(?:restrictions?|filtres?|censure|limites?))|modo\s+(?:de\s+)?(?:desarrollador|dios|admin(?:istrador)?|depuración|depuracion|sin\s+(?:restricciones|filtros|censura|l[ií]mites))|modalità\s+(?:sviluppatore|dio)|modo\s+(?:desenvolvedor|deus)`,
  },
  {
    name: 'unrestricted',
    weight: 0.5,
    pattern: String.raw`keine(?:rlei)?\s+(?:regeln|grenzen|einschränkungen|beschränkungen|filter|zensur|moral|ethik)|aucune\s+(?:règle|regle|restriction|limite|censure|morale|éthique)|ningun[ao]?s?\s+(?:regla|restricci|l[ií]mite|censura|moral|ética|etica)|sin\s+(?:ética|etica|moral)|sans\s+(?:éthique|ethique|morale)|ohne\s+(?:ethik|moral)`,
  },
  // system-prompt extraction
  {
    name: 'prompt-extraction',
    weight: 0.75,
    pattern: String.raw`wie\s+(?:lautet|lauten|lautete|lauteten)\s+(?:dein|deine|ihr|ihre)\s+${F(1)}(?:system-?prompt|prompt|anweisungen|instruktionen|vorgaben)|was\s+(?:sind|waren|steht\s+in)\s+(?:deine|ihre|deinen|ihren)\s+${F(1)}(?:anweisungen|instruktionen|system-?prompt|vorgaben)|(?:zeig|gib|nenn|wiederhol|verrat|druck|schreib|kopier|ausgeb)${L}*\s+${F(4)}(?:system-?prompt|systemanweisung${L}*|system-?nachricht|anfangsanweisung${L}*)`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.75,
    pattern: String.raw`(?:quel|quelle|quels|quelles)\s+(?:est|sont|étaient|etaient)\s+(?:ton|ta|tes|votre|vos)\s+${F(1)}(?:prompt|instructions|consignes|invite)|(?:révèle|revele|montre|affiche|répète|repete|donne|écris|ecris|copie|dévoile|devoile|imprime)[sz]?(?:-moi|-nous)?\s+${F(4)}(?:prompt|invite|instructions?)\s+(?:système|systeme|initiales?|d'origine|cachées?)|(?:ton|votre)\s+(?:prompt|invite)\s+(?:système|systeme|initial)`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.75,
    pattern: String.raw`(?:cuál|cual|cuáles|cuales)\s+(?:es|son|eran|fueron)\s+(?:tu|tus|su|sus)\s+${F(1)}(?:prompt|instrucciones|indicaciones)|(?:revela|revélame|revelame|muestra|muéstrame|muestrame|repite|dime|dame|escribe|copia|imprime)\s+${F(4)}(?:prompt|mensaje|instrucciones)\s+(?:del\s+sistema|de\s+sistema|iniciales?|originales?|ocultas?)|(?:tu|su)\s+(?:prompt|mensaje)\s+(?:del\s+sistema|de\s+sistema|inicial)`,
  },
  // forced opening ("begin with: of course, here is")
  {
    name: 'prefix-injection',
    weight: 0.7,
    pattern: String.raw`(?:beginne|starte|fange)\s+${F(3)}(?:mit|an\s+mit)\s*:?\s*["'„“]?\s*(?:klar|natürlich|gerne|sicher)[,!]|(?:commence|commencez)\s+${F(3)}par\s*:?\s*["'«“]?\s*(?:bien\s+sûr|bien\s+sur|d'accord|voici)[,!]?|(?:comienza|empieza|inicia)\s+${F(3)}con\s*:?\s*["'«“]?\s*(?:claro|por\s+supuesto|aquí\s+tienes|aqui\s+tienes)[,!]?`,
  },
  // closing the current task or interrupting it, then a new one (deepset-style task switches), in four languages
  {
    name: 'closure',
    weight: 0.45,
    pattern: String.raw`(?:that|this)\s+(?:is|was|'s)\s+(?:enough|done|ok|okay|sufficient|finished|complete)\b|das\s+(?:genügt|reicht|ist\s+erledigt|ist\s+genug|war\s+gut|war\s+ok)|(?:c'est|ça\s+suffit|c'était)\s+(?:bon|assez|fini|terminé|suffisant)|ça\s+suffit|(?:eso\s+es\s+suficiente|ya\s+basta|eso\s+est[aá]\s+bien|con\s+eso\s+basta)`,
  },
  {
    name: 'interrupt',
    weight: 0.45,
    pattern: String.raw`(?:^|\n|[.!?:]\s+)(?:stop|stopp|attention|achtung|halt|arrête|arrete|alto|atención|atencion)\s*[-:!]`,
  },
  {
    name: 'prompt-extraction',
    weight: 0.7,
    pattern: String.raw`(?:überprüf|prüf|korrigier|wiederhol|druck|übersetz|gib|schreib)${L}*\s+${F(4)}(?:gesamten\s+)?(?:obig|vorherig|vorangehend|bisherig)${L}*\s+(?:text|anweisung|prompt|nachricht)${L}*|(?:répète|repete|traduis|corrige|imprime|affiche)[sz]?\s+${F(3)}(?:texte|message|instructions?)\s+(?:ci-dessus|précédent|precedent)|(?:repite|traduce|corrige|imprime|muestra)\s+${F(3)}(?:texto|mensaje|instrucciones)\s+(?:anterior|de\s+arriba|previo)`,
  },
  // what the request is for (weak alone), and rules denied in a hypothetical
  {
    name: 'harm-topic',
    weight: 0.35,
    pattern: String.raw`(?:bau|herstell|bastel|mach)${L}*\s+${F(3)}(?:bomben?|sprengstoff${L}*|waffen?|meth|crystal|gift|schadsoftware|malware|virus)|(?:auto|wagen)\s+kurzschlie(?:ß|ss)|(?:fabriquer|construire|préparer|preparer|fabrique|faire)\s+${F(3)}(?:bombes?|explosifs?|armes?|poisons?|drogues?|meth|logiciel\s+malveillant|malware|virus)|(?:fabricar|construir|preparar|hacer|crear)\s+${F(3)}(?:bombas?|explosivos?|armas?|venenos?|drogas?|metanfetamina|malware|virus)|(?:wie\s+man|comment|cómo|como)\s+${F(3)}(?:hackt|einbricht|stiehlt|pirater|voler|hackear|robar)`,
  },
  {
    name: 'unrestricted',
    weight: 0.5,
    pattern: String.raw`no\s+(?:tienes|tuvieras|tengas|hay|existen)\s+(?:ninguna\s+)?(?:reglas|restricciones|l[ií]mites|filtros|normas)|(?:n'avais|n'as|n'a|n'y\s+a(?:vait)?|n'existe)\s+(?:aucune?|pas\s+de|plus\s+de)\s+(?:règles?|regles?|restrictions?|limites?|filtres?)|(?:gäbe|gibt|hättest|hast)\s+(?:es\s+)?(?:du\s+)?keine\s+(?:regeln|grenzen|einschränkungen|filter)|(?:lass|lasse|lasst)\s+${F(2)}(?:filter|regeln|einschränkungen|zensur)\s+(?:weg|fallen)|(?:filter|regeln|einschränkungen|zensur)\s+(?:deaktivieren|deaktiviert|abschalten|abgeschaltet|aus)\b`,
  },
  // indirect-injection cues in documents and tool results
  {
    name: 'addressed-to-ai',
    weight: 0.7,
    pattern: String.raw`(?:wenn|falls)\s+du\s+eine?\s+(?:ki|sprachmodell|assistent|chatbot)\s+bist|(?:hinweis|nachricht|anweisung)\s+(?:an|für)\s+(?:die|den|das)\s+(?:ki|assistenten|sprachmodell|modell|agenten)|si\s+(?:tu\s+es|vous\s+êtes)\s+une?\s+(?:ia|assistant|modèle|chatbot)|(?:note|message|instruction)s?\s+(?:pour|à|a)\s+l'(?:ia|assistant)|si\s+eres\s+una?\s+(?:ia|asistente|modelo|chatbot)|(?:nota|mensaje|instrucci${L}+)\s+para\s+(?:la\s+ia|el\s+asistente|el\s+modelo)`,
  },
  {
    name: 'secrecy',
    weight: 0.6,
    pattern: String.raw`(?:sag|sage|erzähl|erzähle|verrat|verrate)\s+(?:es\s+|das\s+)?(?:dem|den)\s+(?:nutzer|benutzer|anwender|kunden)\s+nicht|ohne\s+(?:den|die)\s+(?:nutzer|benutzer|anwender)\s+zu\s+(?:informieren|benachrichtigen|fragen)|ne\s+(?:le\s+|lui\s+)?(?:dis|dites|mentionne|mentionnez|révèle|revele)\s+(?:pas|rien)\s+à\s+l'utilisateur|sans\s+(?:prévenir|prevenir|informer|avertir)\s+l'utilisateur|no\s+(?:se\s+lo\s+|le\s+)?(?:digas|diga|menciones|mencione|informes)\s+(?:nada\s+)?al\s+usuario|sin\s+(?:avisar|informar|decirle)\s+al\s+usuario`,
  },
  {
    name: 'exfiltration',
    weight: 0.72,
    pattern: String.raw`(?:sende|schicke|leite|übermittle|lade)${L}*\s+(?:\S+\s+){0,8}(?:an|nach|zu|auf)\s+(?:https?://|[a-z0-9._%+-]+@)|(?:envoie|envoyez|transmets|transmettez|transfère|transferez)\s+(?:\S+\s+){0,8}(?:à|a|vers|sur)\s+(?:https?://|[a-z0-9._%+-]+@)|(?:envía|envia|manda|reenvía|reenvia|envíe|envie)\s+(?:\S+\s+){0,8}(?:a|al|hacia)\s+(?:https?://|[a-z0-9._%+-]+@)`,
  },
];
