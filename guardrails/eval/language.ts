// A rough language guess for the evaluation's per-language figures: the language whose common function words occur
// most often (at least one), else "other". Enough to tell English, German, French, Spanish, Italian and Portuguese
// prompts apart (a row that declares its language, `lang`, is reported under it instead);
// a text mixing two (deepset appends English attacks to German questions) counts as the one with more such words.
const STOPWORDS: Readonly<Record<string, readonly string[]>> = {
  en: 'the and you to of is that your what with for are this how please me it be not can'.split(' '),
  de: 'der die das und ich du nicht ist sie mit wie was ein eine zu mir bitte dich auf den dem ihre deine sind'.split(
    ' ',
  ),
  fr: 'le la les et je tu vous est une des pas que pour avec moi ton votre du il ce dans sur qui'.split(' '),
  es: 'el los las y que es una por para con tu me del como yo eres lo al su sus muy pero está'.split(' '),
  it: 'il gli della di che è sono per non una mi ti sei questo come anche tutte tutti'.split(' '),
  pt: 'o os da do que é não uma para com você voce me meu seu sua está são isso'.split(' '),
};
const INDEX = new Map<string, string[]>();
for (const [lang, words] of Object.entries(STOPWORDS))
  for (const w of words) INDEX.set(w, [...(INDEX.get(w) ?? []), lang]);

export type Language = 'en' | 'de' | 'fr' | 'es' | 'it' | 'pt' | 'other';
export const LANGUAGES: readonly Language[] = ['en', 'de', 'fr', 'es', 'it', 'pt', 'other'];

export function guessLanguage(text: string): Language {
  const counts = new Map<string, number>();
  const words = text
    .slice(0, 4000)
    .toLowerCase()
    .split(/[^a-zà-ÿß]+/u);
  for (const w of words) for (const lang of INDEX.get(w) ?? []) counts.set(lang, (counts.get(lang) ?? 0) + 1);
  let best: Language = 'other';
  let n = 0;
  for (const [lang, c] of counts)
    if (c > n) {
      best = lang as Language;
      n = c;
    }
  return best;
}
