// Round 2 of the look-alikes (issue 11): realistic non-secrets of the classes the independent red team still saw
// changed after round 1 — only its class names were shared (registry / integrity lines with URLs, data: images,
// badge images, IP addresses, links with navigation parameters, README HTML). Written from those class names and
// public formats (yarn.lock, package-lock.json, pip --hash, go.sum, PEP 503 links, shields.io badges, nginx and
// resolv.conf configs), not from the red team's items; used to tune round 2, so its figure is not a held-out one.
import type { LookalikeItem } from './lookalikes-eval.ts';

const L = (source: LookalikeItem['source'], text: string): LookalikeItem => ({ source, text });

export const LOOKALIKES_ROUND2: readonly LookalikeItem[] = [
  // registry and integrity lines, as plain text (a client links the URL) and in a fence
  L(
    'config',
    'lodash@^4.17.21:\n  version "4.17.21"\n  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c"',
  ),
  L(
    'config',
    '```json\n"node_modules/lodash": {\n  "version": "4.17.21",\n  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",\n  "integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="\n}\n```',
  ),
  L(
    'config',
    'Download it from https://files.pythonhosted.org/packages/f9/9b/335f9764261e915ed497fcdeb11df5dfd6f7bf257d4a6a2a686d80da4d54/requests-2.32.3-py3-none-any.whl#sha256=70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6',
  ),
  L('config', 'golang.org/x/net v0.23.0 h1:7EYJ93RZ9vYSZAIb2x3lnuvqO5zneoD6IvWjuhfxjTs='),
  L('config', 'The tarball is at https://registry.npmjs.org/express/-/express-4.19.2.tgz if you need to vendor it.'),
  // data: images and badges
  L(
    'readme',
    '![dot](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)',
  ),
  L(
    'readme',
    '<img alt="spinner" width="16" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==">',
  ),
  L(
    'readme',
    '<picture>\n  <source media="(prefers-color-scheme: dark)" srcset="docs/logo-dark.svg">\n  <img alt="Widget" src="docs/logo.svg" width="240">\n</picture>',
  ),
  // links with navigation parameters and anchors
  L('chat-link', 'The README explains it: https://github.com/acme/widget?tab=readme-ov-file#configuration'),
  L(
    'chat-link',
    'See https://pkg.go.dev/net/http#Client and https://pkg.go.dev/context?utm_source=godoc for the details.',
  ),
  L('chat-link', 'Open issues sorted by age: https://github.com/acme/widget/issues?q=is%3Aopen&sort=created'),
  L(
    'chat-link',
    '[Rollout strategies](https://argo-rollouts.readthedocs.io/en/stable/features/canary/#mixing-canary-with-other-strategies)',
  ),
  L('chat-link', 'The talk starts at 12:40: https://www.youtube.com/watch?v=PivpCKEiQOQ&t=760s'),
  // README HTML formatting
  L('readme', '<div align="center">\n\n# Widget\n\n<sub>Built with care.</sub>\n\n</div>'),
  L('readme', 'Press <kbd>Ctrl</kbd>+<kbd>C</kbd> to stop, then run it again.<br/>'),
  L('readme', '<pre>\n$ widget --help\nUsage: widget [flags]\n</pre>'),
  L('readme', '<details open>\n<summary>Changelog</summary>\n\n- fixed the CLI\n</details>'),
  // IP addresses in server positions
  L('ip', 'nameserver 185.12.64.1\nnameserver 185.12.64.2\nsearch cluster.local'),
  L('ip', 'upstream api {\n    server 52.28.14.9:8080;\n}\nlocation / { proxy_pass http://52.28.14.9:8080; }'),
  L('ip', 'Check it with `curl -k https://34.120.54.7:8443/healthz`.'),
  L('ip', 'example.org.   3600  IN  A   93.184.215.14'),
];
