// A varied text set for token counting: many scripts, code, emoji, whitespace runs, numbers, case and
// contraction edge cases, special-token look-alikes — plus seeded random mixes of all of them. Used by
// gateway/encodings.test.ts (the gateway's counts against tiktoken) and e2e/engines/token-error.ts (the
// estimates against a real engine's prompt count). Written for this project; no external data.

export const TOKEN_TEXTS: Readonly<Record<string, readonly string[]>> = {
  multilingual: [
    'The quick brown fox jumps over the lazy dog, then naps under the old oak tree.',
    'Der schnelle braune Fuchs springt über den faulen Hund. Größenordnung, Straße, Äpfel!',
    "L'été dernier, nous sommes allés à la plage ; c'était très agréable, n'est-ce pas ?",
    '¿Dónde está la biblioteca? El niño comió pequeñas piñas en el año pasado.',
    'Não há mais nada a fazer; a canção é bonita e o coração está em paz.',
    'Съешь же ещё этих мягких французских булок, да выпей чаю.',
    'Україна — країна в Східній Європі; столиця — Київ.',
    'Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ πιὰ στὸ χρυσαφὶ ξέφωτο.',
    'Pijamalı hasta yağız şoföre çabucak güvendi. İstanbul’da ığdır.',
    'Zażółć gęślą jaźń; Łódź, Kraków i Gdańsk.',
    'نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر ومغلف بجلد أزرق.',
    'דג סקרן שט בים מאוכזב ולפתע מצא חברה.',
    'یک دو سه چهار پنج؛ زبان فارسی زیباست.',
    'ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले विष्णुवतार भगवान श्रीराम।',
    'আমি বাংলায় গান গাই; আমার সোনার বাংলা।',
    'யாமறிந்த மொழிகளிலே தமிழ்மொழி போல் இனிதாவது எங்கும் காணோம்.',
    'เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์เดรัจฉาน',
    'Tiếng Việt có dấu: Trăm năm trong cõi người ta, chữ tài chữ mệnh khéo là ghét nhau.',
    '我能吞下玻璃而不伤身体。今天天气很好，我们去公园散步吧。',
    '我能吞下玻璃而不傷身體。臺灣的夜市很熱鬧。',
    'いろはにほへと ちりぬるを わかよたれそ つねならむ。東京は日本の首都です。',
    '키스의 고유조건은 입술끼리 만나야 하고 특별한 기술은 필요치 않다.',
    'ሰማይ አይታረስ ንጉሥ አይከሰስ።',
    'ქართული ენა ერთ-ერთი უძველესი ენაა.',
    'Բարեւ, ինչպե՞ս ես։',
    'Habari za asubuhi? Ninafurahi kukutana nawe leo.',
    'Saya suka makan nasi goreng dan minum teh manis.',
  ],
  code: [
    'export async function handler(req: Request): Promise<Response> {\n  const { id } = await req.json();\n  return new Response(JSON.stringify({ ok: true, id }), { status: 200 });\n}\n',
    'def fib(n: int) -> int:\n    """Return the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n',
    'fn main() {\n    let v: Vec<u32> = (1..=10).map(|x| x * x).collect();\n    println!("{:?}", v);\n}\n',
    'package main\n\nimport "fmt"\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\tfmt.Printf("%d\\n", i)\n\t}\n}\n',
    '#include <stdio.h>\nint main(void) { printf("hello, world\\n"); return 0; }\n',
    "SELECT u.id, COUNT(o.id) AS orders FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.created_at >= '2024-01-01' GROUP BY u.id HAVING COUNT(o.id) > 3;",
    'for f in *.log; do gzip -9 "$f" && echo "compressed $f" >&2; done | tee /tmp/out.txt',
    '{"model":"gpt-oss-20b","messages":[{"role":"user","content":"hi"}],"max_tokens":256,"stream":true}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx@sha256:abc\n',
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Hi</title></head><body><p class="x">Hi &amp; bye</p></body></html>',
    '--- a/file.ts\n+++ b/file.ts\n@@ -1,3 +1,4 @@\n-const x = 1;\n+const x = 2;\n+const y = x * 2;\n',
    'var a=function(b,c){return b.map(function(d){return d*c}).filter(Boolean)};module.exports={a:a};',
    "/^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@example\\.com$/i",
  ],
  emoji: [
    'Great job! 🎉🎉🎉 Let’s celebrate 🥳🍾',
    'Family: 👨‍👩‍👧‍👦 couple: 👩‍❤️‍👨 rainbow flag: 🏳️‍🌈',
    'Flags: 🇺🇸 🇩🇪 🇯🇵 🇧🇷 🇮🇳 and keycaps 1️⃣ 2️⃣ #️⃣',
    'Skin tones: 👍🏻 👍🏼 👍🏽 👍🏾 👍🏿 waving 👋🏽',
    'Text vs emoji presentation: ☺ ☺️ ❤ ❤️ ✔ ✔️',
    '🙂🙃😉😊😇🥰😍🤩😘😗☺😚😙🥲😋😛😜🤪😝🤑',
  ],
  whitespace: [
    'spaces:     five, tabs:\t\t\ttwo, and\tmixed \t \t end',
    'line one\nline two\r\nline three\rline four\n\n\nafter three newlines',
    '   leading and trailing   ',
    '\n\n\n',
    '          ',
    ' \n \n \n',
    'non\u00a0breaking\u00a0spaces and ideographic\u3000spaces\u3000here',
    'line\u2028separator and paragraph\u2029separator',
    'indented:\n        deep\n                deeper\n    back',
    'trailing newline run\n\n\n\n\n\n\n\n',
    'a  b   c    d     e      f       g        h',
  ],
  numbers: [
    'Call +1 (555) 123-4567 or +44 20 7946 0958 before 2024-12-31T23:59:59Z.',
    'π ≈ 3.14159265358979323846; e ≈ 2.718281828; 1,234,567.89 € and $0.99',
    '12345678901234567890123456789012345678901234567890',
    'Arabic-Indic ٠١٢٣٤٥٦٧٨٩ and fullwidth １２３４５ and Devanagari ०१२३',
    'IPv4 192.168.0.1, IPv6 2001:db8::ff00:42:8329, MAC 00:1A:2B:3C:4D:5E',
  ],
  casing: [
    "HTTPServer camelCaseWord snake_case_word kebab-case-word SCREAMING_CASE I'M Don'T we'LL they'Re",
    "It's, I've, you'd, we'll, they're, she's; IT'S, I'VE, YOU'D",
    'XMLHttpRequest getElementById innerHTML JSONParser iOS macOS',
    'ÉCOLE école ΑΒΓ αβγ ÀÉÎÕÜ àéîõü',
  ],
  special: [
    '<|endoftext|> is plain text here, as are <|im_start|> and <|fim_prefix|>.',
    '<|start|>user<|message|>hello<|end|>',
  ],
  odd: [
    'e\u0301te\u0301 (combining acute), n\u0303 (combining tilde), Zero\u200bwidth\u200bspace, ZWJ\u200djoin',
    'control \u0001\u0002\u0007 characters \u007f and soft\u00adhyphen',
    'Mathematical 𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and ancient 𐌰𐌱𐌲 scripts',
    'punctuation!!! ??? ... --- ___ *** ### @@@ ~~~ ``` ;;; ::: ,,,',
    'URLs: https://example.com/a/b?c=d&e=f#g and paths /usr/local/bin//x ./a/../b',
  ],
};

/** Every hand-written sample, flattened. */
export function tokenTexts(): string[] {
  return Object.values(TOKEN_TEXTS).flat();
}

/** `n` seeded random mixes of fragments of the samples (deterministic for a seed). */
export function mixedTexts(n: number, seed = 1): string[] {
  const parts = tokenTexts();
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let t = '';
    const k = 1 + Math.floor(rnd() * 5);
    for (let j = 0; j < k; j++) {
      const p = [...parts[Math.floor(rnd() * parts.length)]!]; // by code point: no lone surrogates
      const a = Math.floor(rnd() * p.length);
      const b = Math.min(p.length, a + 1 + Math.floor(rnd() * 60));
      t += p.slice(a, b).join('') + ['', ' ', '\n', '  ', '\t'][Math.floor(rnd() * 5)];
    }
    out.push(t);
  }
  return out;
}
