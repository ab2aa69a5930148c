// Persuasion jailbreaks (PAP, PAIR): a harmful request wrapped in reasons to answer it. Written from how they are
// built — the request for the *methods* of a harm, a credibility appeal, and the dual-use justification — rather than
// from any collection's phrases:
//
//   harm-topic (methods)  asking for the methods, techniques, tactics or steps of a harm ("the techniques commonly
//                  used for smuggling", "methods of cyberbullying a child", "how drones can be modified for
//                  aggressive purposes"); strong but light (0.35): it needs a second family to reach a threshold
//   authority-appeal  a credibility appeal ("renowned criminologist Dr. …", "according to the APA", "research
//                  indicates"): weak, an ordinary essay has it
//   dual-use       "understanding how … is crucial to developing countermeasures / helps law enforcement stay one step
//                  ahead": weak, security teaching has it; with a harm it is the persuasion jailbreak's shape
// Every pattern is RE2 (linear time) and runs on the normalised text.
import { type Signal } from './injection-signals.ts';

const HARM = String.raw`(?:smuggl\w*|cyber-?bully\w*|bully(?:ing)?\s+(?:a\s+)?(?:child|kid|teen|student)|traffick\w*|poach\w*|stalk\w*|groom(?:ing)?\s+(?:a\s+)?(?:child|minor|kid)|kidnap\w*|extort\w*|blackmail\w*|ponzi|pyramid\s+schemes?|insider\s+trading|tax\s+evasion|evad\w*\s+taxes|counterfeit\w*|shoplift\w*|burglar\w*|break\w*\s+into\s+(?:a\s+)?(?:house|home|car|building)|pick\w*\s+locks?|hack\w*|phish\w*|scam\w*|defraud\w*|embezzl\w*|forg(?:e|ing|ery)|poison\w*|tortur\w*|(?:coercive|unauthori[sz]ed|illegal|harsh)\s+interrogat\w*|radicali[sz]\w*|launder\w*|data\s+breach\w*|ransomware|malware|identity\s+theft|steal\w*|self-harm|harm\s+themselves|suicide|explosives?|bombs?|weapons?|drugs?\s+(?:across|past|through)|illegal\s+drugs?|propaganda|disinformation|misinformation|hate\s+speech|manipulat\w*\s+(?:people|someone|victims|voters|children))`;

export const PERSUASION_SIGNALS: readonly Signal[] = [
  {
    name: 'harm-topic',
    weight: 0.35,
    doc: 0.2,
    pattern: String.raw`\b(?:methods?|techniques?|tactics?|ways|steps|strategies|process(?:es)?|means|tricks|mechanics|intricacies|specifics|procedures?|how)\s+(?:\w+\s+){0,5}?(?:used\s+|employed\s+|involved\s+)?(?:for|to|of|in|behind|by\s+which)\s+(?:\w+\s+){0,2}?${HARM}|\b(?:modif\w*|alter\w*|convert\w*|weaponi[sz]\w*)\s+(?:\w+\s+){0,3}(?:drones?|firearms?|guns?|vehicles?)\s+(?:\w+\s+){0,2}(?:for\s+)?(?:aggressive|harmful|offensive|lethal|attack|weapon\w*)|\bset(?:ting)?\s+up\s+(?:a\s+)?(?:ponzi|pyramid|money\s+laundering|scam)`,
  },
  {
    name: 'authority-appeal',
    weight: 0.3,
    doc: 0.1,
    pattern: String.raw`\b(?:renowned|leading|prominent|respected|well-known|distinguished|eminent|reputable|top)\s+(?:\w+\s+){0,2}(?:experts?|criminologists?|psychologists?|psychiatrists?|researchers?|scientists?|professors?|scholars?|authorit(?:y|ies)|institutions?|specialists?)|\baccording\s+to\s+(?:\w+\s+){0,3}(?:experts?|research|studies|the\s+(?:cdc|who|fbi|apa|un|nih)|data|statistics)|\b(?:as\s+)?(?:studied|reported|noted|advised|suggested|highlighted|endorsed|recommended)\s+by\s+(?:the\s+|renowned\s+|leading\s+)?(?:dr\.?|professor|experts?|the\s+(?:american|world|national|international))|\b(?:research|studies|evidence|data)\s+(?:\w+\s+)?(?:indicates?|shows?|suggests?|demonstrates?|confirms?)\s+that`,
  },
  {
    name: 'dual-use',
    weight: 0.35,
    doc: 0.15,
    pattern: String.raw`\b(?:understanding|knowing|learning\s+about|(?:an|this|such)\s+understanding\s+of|insights?\s+into|knowledge\s+of|awareness\s+of|studying)\s+(?:\w+\s+){0,12}?(?:can|could|would|will|may|might|is|are|helps?|aids?)\s+(?:\w+\s+){0,3}?(?:help|aid|assist|enable|be\s+(?:crucial|essential|key|vital|critical|important|beneficial|instrumental|invaluable))\s+(?:\w+\s+){0,8}?(?:prevent\w*|counter\w*|combat\w*|protect\w*|defen[cs]\w*|safeguard\w*|law\s+enforcement|stay\s+(?:one\s+step\s+)?ahead|mitigat\w*|detect\w*|intervention|awareness)`,
  },
];
