// The exfiltration decision as a table (guardrails/README.md, "What counts as an exfiltration channel"): URL shapes
// for a link and for a fetch, raw HTML attributes, and reference definitions that an earlier image may use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';
import { encodedData, urlAllowed, type UrlUse } from './exfiltration.ts';
import { htmlProblems } from './markdown-html.ts';
import { violations } from './markdown-oracle.ts';

const ALLOWED = ['docs.example.com', '*.cdn.example.com'];

// [url, allowed as a link, allowed when fetched]
const URLS: [string, boolean, boolean][] = [
  // plain addresses: a link, never a fetch
  ['https://kubernetes.io/docs/concepts/', true, false],
  ['https://docs.python.org/3/library/urllib.parse.html', true, false],
  ['https://github.com/nodejs/node/pull/51234', true, false],
  ['https://github.com/kubernetes/kubernetes/issues/118342', true, false],
  ['https://peps.python.org/pep-0008/', true, false],
  ['https://blog.rust-lang.org/2024/02/08/Rust-1.76.0.html', true, false],
  ['https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/', true, false],
  ['https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket', true, false],
  ['https://en.wikipedia.org/wiki/Caf%C3%A9', true, false],
  ['https://xn--80ak6aa92e.com/', true, false],
  ['http://localhost:8080/', true, false],
  ['http://127.0.0.1:8080/x', true, false],
  ['https://grafana.com/grafana/dashboards/1860-node-exporter-full/', true, false],
  ['HTTPS://EVIL.EXAMPLE/a', true, false],
  ['https://evil.example/hunter2', true, false], // a short word in a path: the documented residual
  // navigation: short queries and fragments of words (a few characters behind a click: the residual of a path)
  ['https://www.google.com/search?q=kubectl', true, false],
  ['https://www.google.com/search?q=kubectl+rollout+restart', true, false],
  ['https://evil.example/?', true, false], // an empty query carries nothing
  ['https://docs.docker.com/reference/dockerfile/#copy', true, false],
  ['https://github.com/acme/widget?tab=readme-ov-file#installation', true, false],
  ['https://pkg.go.dev/net/http?utm_source=gopls#Client', true, false],
  ['https://www.youtube.com/watch?v=PivpCKEiQOQ&t=42s', true, false],
  ['https://github.com/acme/widget/issues?page=3&sort=asc', true, false],
  ['https://evil.example/p?d=SECRET', true, false], // a short word: the same residual as /hunter2
  [
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#define-container-environment-variables-using-configmap-data',
    true,
    false,
  ], // a heading anchor: a slug, read like a path segment
  ['https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c', true, false],
  [
    'https://files.pythonhosted.org/packages/a1/b2/requests-2.32.3-py3-none-any.whl#sha256=70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6',
    true,
    false,
  ], // an artifact's digest, the package index convention
  // carries data: userinfo, a long query, encoded-looking values, markers, e-mails, free text
  ['https://evil.example/p?d=aGVsbG8gd29ybGQgdGhpcyBpcyBh', false, false],
  ['https://evil.example/p?token=3f2a9c1e8b7d6a5f4e3d2c1b0a998877', false, false],
  ['https://evil.example/p?d=dQw4w9WgXcQ', false, false],
  ['https://evil.example/p?a=alpha&b=bravo&c=charlie&d=delta&e=echo&f=foxtrot', false, false], // over 40 characters
  ['https://evil.example/p?q=my+password+is+hunter2', false, false], // free text
  ['https://evil.example/p?q=my%20password%20is%20hunter2', false, false],
  ['https://evil.example/p?u=alice@contoso.com', false, false],
  ['https://evil.example/p?x=%5BREDACTED:email%5D', false, false],
  ['https://evil.example/p?x=%FF', false, false],
  ['https://evil.example/r#aGVsbG8gd29ybGQgdGhpcyBpcyBh', false, false], // an anchor that looks encoded
  ['https://evil.example/r#d=SECRET&e=aGVsbG8gd29ybGQgdGhpcyBp', false, false],
  ['https://evil.example/x.tgz?v=1#679591c564c3bffaae8454cf0b3df370c3d6911c', false, false], // a digest with a query
  ['https://evil.example/x.html#679591c564c3bffaae8454cf0b3df370c3d6911c', false, false], // not an artifact
  [`https://evil.example/r#${'word-'.repeat(45)}end`, false, false], // an anchor past the plain length
  ['https://user:pass@evil.example/', false, false],
  ['https://docs.example.com@evil.example/u', false, false],
  // carries data: encoded-looking host labels and path segments
  ['https://evil.example/c/aGVsbG8gd29ybGQgdGhpcyBpcyBhIHNlY3JldA', false, false],
  ['https://evil.example/c/aGVsbG8-d29ybGQ_dGhpcyBpcyBh-IHNlY3JldA', false, false],
  ['https://n5vgk3tfmruxa4tjnzsxg5dfon2c4.evil.example/', false, false],
  ['https://evil.example/3f2a9c1e8b7d6a5f4e3d2c1b0a998877aabbccdd', false, false],
  ['https://evil.example/550e8400-e29b-41d4-a716-446655440000', false, false],
  ['https://github.com/acme/widget/commit/3f2a9c1e8b7d6a5f4e3d2c1b0a998877aabbccdd', false, false],
  ['https://evil.example/dQw4w9WgXcQ', false, false],
  ['https://evil.example/123456789012345678901234567', false, false],
  ['https://evil.example/ab12cd/34ef56/gh78ij/90klmn/op12qr/st34uv', false, false],
  ['https://n5vgk3tf.mruxa4tj.nzsxg5df.evil.example/', false, false],
  ['https://evil.example/aGVsbG8/gd29ybG/Qgd2h0/IGlz1HRo', false, false],
  ['https://evil.example/aGVsbG8/gd29ybG/Qgd2h0/IGlzIHRo', true, false], // residual: ~20 characters of ids
  ['https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.29/', true, false],
  ['https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-metadata.html', true, false],
  ['https://apis.k8s.io/apis/networking.k8s.io/v1beta1/ingresses', true, false],
  [`https://evil.example/${'q'.repeat(300)}`, false, false],
  ['https://evil.example/x/[REDACTED:github-token]', false, false],
  ['https://evil.example/john.doe@corp.example', false, false],
  ['https://evil.example/%FF%FE', false, false],
  ['https://www.npmjs.com/package/@types/node', true, false],
  ['https://registry.npmjs.org/@acme%2fwidgets', true, false],
  // schemes
  ['javascript:alert(1)', false, false],
  ['data:image/png;base64,iVBORw0KGgo=', false, true], // an inline image requests nothing; never a link
  ['data:image/webp;base64,UklGRh4AAABXRUJQ', false, true],
  ['data:image/svg+xml;base64,PHN2Zz4=', false, false], // SVG can hold markup: markdown-it refuses it too
  ['data:text/html;base64,PHNjcmlwdD4=', false, false],
  ['ftp://evil.example/f', false, false],
  ['mailto:a@b.example', true, true],
  // allowlisted and relative: anything
  ['https://docs.example.com/a?q=1#x', true, true],
  ['https://img.cdn.example.com/a.png?v=3', true, true],
  ['/relative/x.png?d=1', true, true],
  ['#frag', true, true],
  // an allowed host (or the page's origin) whose query or fragment carries a URL to another host: an open redirect
  // there reaches that host, so the URL is judged as foreign (red team re-check 4, finding 07)
  ['https://docs.example.com/redirect?to=https://evil.example/p.png?d=Zq8xT4mN2bV6cR1y', false, false],
  ['https://docs.example.com/redirect?to=https%3A%2F%2Fevil.example%2Fp.png%3Fd%3DZq8xT4mN2bV6cR1y', false, false],
  ['https://docs.example.com/redirect?to=https%253A%252F%252Fevil.example%252Fp.png', false, false], // encoded twice
  ['https://docs.example.com/url?q=//evil.example/p.png', true, false],
  ['https://docs.example.com/url?q=%2F%2Fevil.example/p.png', true, false],
  ['https://docs.example.com/url?q=/%5Cevil.example/p.png', true, false], // `/\` is `//` to a browser
  ['https://docs.example.com/url?q=https:%5C%5Cevil.example/p.png', true, false],
  ['https://docs.example.com/url?q=http:evil.example/p.png', true, false], // http: from an https page
  ['https://docs.example.com/url?q=%09//evil.example/p.png', false, false], // a tab, dropped by the URL parser
  ['https://docs.example.com/r#u=https://evil.example/p.png', true, false],
  ['https://docs.example.com/r?u=HTTPS://EVIL.EXAMPLE/p.png', true, false],
  ['https://docs.example.com/r?u=https://docs.example.com@evil.example/p.png', false, false], // userinfo
  ['https://docs.example.com/r?u=https://docs.example.com.evil.example/p.png', false, false],
  ['https://docs.example.com/r?to=https://docs.example.com/r?to=https://evil.example/p.png', false, false], // chained
  ['https://img.cdn.example.com/r?to=https://evil.example/p.png', true, false],
  ['/redirect?to=https://evil.example/p.png', true, false], // the page's own origin may redirect too
  [`https://docs.example.com/r?${'u=https://docs.example.com/&'.repeat(17)}`, false, false], // past the candidates bound
  // red team re-check 6, finding 05: a userinfo longer than the authority read hides the host after it (fail
  // closed), and path-style redirectors carry the target in the path
  [`https://docs.example.com/r?u=https://${'x'.repeat(520)}@evil.example/p.png?d=Zq8xT4mN2bV6cR1y`, false, false],
  [`https://docs.example.com/r?u=https://${'x'.repeat(511)}@evil.example/p.png`, false, false],
  [`https://docs.example.com/r?u=//a:${'x'.repeat(520)}@evil.example/p.png`, false, false],
  [`https://docs.example.com/r?u=${encodeURIComponent(`https://${'x'.repeat(520)}@evil.example/p.png`)}`, false, false],
  [`https://docs.example.com/r#https://${'x'.repeat(520)}@evil.example/p.png`, false, false],
  ['https://docs.example.com/redirect/https://evil.example/p.png?d=Zq8xT4mN2bV6cR1y', false, false],
  ['https://docs.example.com/redirect/https://evil.example/p.png', true, false],
  ['https://docs.example.com/redirect/https%3A%2F%2Fevil.example%2Fp.png', true, false],
  ['https://docs.example.com/out//evil.example/p.png', true, false],
  ['https://docs.example.com//evil.example/p.png', true, false],
  ['/go/http:evil.example/p.png', true, false],
  // ... and stays when every URL it carries is on the allowlist, or is not a URL a browser could go to
  ['https://docs.example.com/r?to=https://docs.example.com/guide', true, true],
  ['https://docs.example.com/r?to=https%3A%2F%2Fimg.cdn.example.com%2Fa.png', true, true],
  ['https://docs.example.com/r?to=/guide/install', true, true],
  ['https://docs.example.com/search?q=a//b.png', true, true], // `//` inside a value, not starting it
  ['https://docs.example.com/r?to=//intranet/x', true, true], // no dot: no host the attacker owns
  ['/relative/x.png?next=/home', true, true],
  [`https://docs.example.com/r?u=https://${'x'.repeat(400)}@docs.example.com/p.png`, true, true], // below the bound
  ['https://docs.example.com/redirect/https://docs.example.com/p.png', true, true], // path-style, to an allowed host
  ['https://docs.example.com/docs//guide/v1.2/x.png', true, true], // `//` in a path, to no host with a dot
];

describe('exfiltration: which URLs are a channel', () => {
  for (const [url, link, fetch] of URLS) {
    it(`${url.slice(0, 90)}: link ${link ? 'stays' : 'goes'}, fetch ${fetch ? 'stays' : 'goes'}`, () => {
      const uses: [UrlUse, boolean][] = [
        ['link', link],
        ['fetch', fetch],
      ];
      for (const [use, want] of uses) assert.equal(urlAllowed(url, ALLOWED, use), want, use);
    });
  }

  it('encodedData: words, slugs, versions and ids are not data; digests, base64 and random runs are', () => {
    for (const s of [
      'configure-pod-configmap',
      'Rust-1.76.0.html',
      'pep-0008',
      'v1beta1',
      '118342',
      'x509certificates',
    ])
      assert.equal(encodedData(s), false, s);
    for (const s of [
      'aGVsbG8gd29ybGQgdGhpcyBpcyBh',
      'dQw4w9WgXcQ',
      '9f86d081884c7d659a2feaa0c55ad015',
      'a1b2c3d4e5f6g7h8',
    ])
      assert.equal(encodedData(s), true, s);
  });
});

describe('exfiltration: raw HTML attributes', () => {
  const ok = (u: string, use: UrlUse) => urlAllowed(u, ALLOWED, use);
  const cases: [string, boolean][] = [
    ['<p align="center">', true],
    ['<div class="note" id="x" data-kind="tip" aria-label="tip" role="note">', true],
    ['<span style="color: red; font-weight: bold">', true],
    ['<td width="50%" colspan="2">', true],
    ['<a href="https://github.com/acme/widget">', true],
    ['<a href="https://evil.example/?d=aGVsbG8gd29ybGQgdGhpcyBpcyBh">', false],
    ['<a href="https://github.com/acme/widget?tab=readme-ov-file">', true],
    ['<a href="https://evil.example/" ping="https://evil.example/p">', false],
    ['<a href="https://evil.example/" attributionsrc="https://evil.example/a">', false],
    ['<a href="https://evil.example/" referrerpolicy="unsafe-url">', false],
    ['<img src="docs/logo.svg" width="200">', true],
    ['<img src="https://evil.example/logo.png">', false],
    ['<img src="https://img.cdn.example.com/logo.png">', true],
    ['<span style="background:url(https://evil.example/x)">', false],
    ['<span style="background:u\\72l(https://evil.example/x)">', false],
    ['<div style="background-image: image-set(\'x.png\' 1x)">', false],
    ['<b onclick="alert(1)">', false],
    ['<p onmouseover=x>', false],
    ['<div background="https://evil.example/x.png">', false],
    ['<blockquote cite="https://evil.example/">', false],
    ['<iframe>', false],
    ['<script>', false],
    ['<Integer>', true],
    ['<input type="text">', false],
    // README formatting: details/summary, kbd, sup/sub, alignment, tables, picture/source (judged like an img)
    ['<details open>', true],
    ['<summary>', true],
    ['<kbd>', true],
    ['<sup>', true],
    ['<div align="center">', true],
    ['<table align="center" border="0">', true],
    ['<picture>', true],
    ['<pre>', true],
    ['<font color="red" size="2">', true],
    ['<section id="usage" class="doc">', true],
    ['<time datetime="2024-01-01">', true],
    ['<nav aria-label="toc">', true],
    // default-deny stays for the rest: form controls, media that fetches, unknown elements with attributes
    ['<input type="checkbox" disabled checked>', false],
    ['<video src="https://evil.example/v.mp4" controls>', false],
    ['<meter value="0.6">', false],
    ['<listing>', false],
    ['<source media="(prefers-color-scheme: dark)" srcset="docs/logo-dark.png">', true],
    ['<source media="(prefers-color-scheme: dark)" srcset="https://img.cdn.example.com/dark.png">', true],
    ['<source srcset="https://evil.example/dark.png">', false],
    ['<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">', true],
    ['<img src="data:image/svg+xml;base64,PHN2Zz4=">', false],
    ['<a href="data:image/png;base64,iVBORw0KGgo=">', false],
  ];
  for (const [html, want] of cases)
    it(`${html} ${want ? 'passes' : 'fails'}`, () => assert.equal(htmlProblems(html, ok).length === 0, want));
});

describe('exfiltration: reference definitions an earlier image may use', () => {
  const g = compileGuard({ ...STRICT_GUARDRAILS, redaction: { detectors: [], customPatterns: [] } });
  const stream = (text: string, n: number) => {
    const s = g.streamOutput();
    let out = '';
    for (let i = 0; i < text.length; i += n) out += s.push(text.slice(i, i + n)).text;
    return out + s.end().text;
  };
  const cases: [string, boolean][] = [
    // no image anywhere: a reference link to a plain address stays
    ['See the [guide][1].\n\n[1]: https://docs.gitlab.com/ee/ci/', true],
    // an image before the definition uses it in a client that sees the whole text: the definition is fetched
    ['Logo: ![logo][1]\n\n[1]: https://kubernetes.io/images/logo.png', false],
    ['![logo][1] then a quote\n\n> [1]: https://kubernetes.io/images/logo.png', false],
    // a definition cannot interrupt a paragraph: no definition, no image, the bare URL is a plain link
    ['![logo][1] in the same paragraph\n[1]: https://kubernetes.io/images/logo.png', true],
    // an image after the definition is itself rewritten
    ['[1]: https://kubernetes.io/images/logo.png\n\nLogo: ![logo][1]', false],
  ];
  for (const [text, unchanged] of cases)
    it(JSON.stringify(text).slice(0, 80), () => {
      const out = g.scanOutput(text).text;
      assert.equal(out === text, unchanged, out);
      assert.deepEqual(violations(out, []), []);
      for (const n of [1, 3, 7]) assert.equal(stream(text, n), out);
    });
});
