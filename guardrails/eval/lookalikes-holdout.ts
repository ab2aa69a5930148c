// Realistic look-alikes, HELD-OUT half (see lookalikes-tune.ts for what they are). Written at the same time as the
// tuning half, before any change; only its figures are reported — nothing was tuned on it.
import type { LookalikeItem } from './lookalikes-eval.ts';

const L = (source: LookalikeItem['source'], text: string): LookalikeItem => ({ source, text });

export const LOOKALIKES_HOLDOUT: readonly LookalikeItem[] = [
  // chat answers with links
  L('chat-link', 'The Helm docs explain chart dependencies: https://helm.sh/docs/helm/helm_dependency/'),
  L(
    'chat-link',
    'Take a look at [Introduction to Git](https://git-scm.com/book/en/v2/Getting-Started-About-Version-Control).',
  ),
  L('chat-link', "React's guide on hooks is here: https://react.dev/reference/react/useEffect"),
  L('chat-link', "Go's module reference: https://go.dev/ref/mod — especially the section on `replace` directives."),
  L(
    'chat-link',
    'The AWS CLI user guide has a page on profiles: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html',
  ),
  L(
    'chat-link',
    'You can find the Postgres manual at [postgresql.org](https://www.postgresql.org/docs/16/sql-createindex.html).',
  ),
  L('chat-link', 'Steps:\n1. Open https://console.cloud.google.com/\n2. Select your project\n3. Enable the API.'),
  L('chat-link', 'There is an open issue about it: https://github.com/kubernetes/kubernetes/issues/118342'),
  L('chat-link', 'Read the announcement on the blog: https://blog.rust-lang.org/2024/02/08/Rust-1.76.0.html'),
  L(
    'chat-link',
    'Relevant Stack Overflow answer: https://stackoverflow.com/questions/231767/what-does-the-yield-keyword-do-in-python',
  ),
  L(
    'chat-link',
    'See the Spring Boot reference, [Externalized Configuration](https://docs.spring.io/spring-boot/reference/features/external-config.html).',
  ),
  L('chat-link', 'The crate is documented on docs.rs: https://docs.rs/tokio/latest/tokio/'),
  L('chat-link', 'TypeScript handbook: [Generics](https://www.typescriptlang.org/docs/handbook/2/generics.html)'),
  L(
    'chat-link',
    'More about this in the Prometheus docs (https://prometheus.io/docs/prometheus/latest/querying/functions/#rate).',
  ),
  L('chat-link', 'Grafana dashboards for it: https://grafana.com/grafana/dashboards/1860-node-exporter-full/'),
  L('chat-link', 'MIT licence text: https://opensource.org/license/mit'),
  L('chat-link', 'The Ubuntu release notes: https://discourse.ubuntu.com/t/noble-numbat-release-notes/39890'),
  L('chat-link', 'The talk slides are linked from https://kccnceu2024.sched.com/event/1YeM4/ — see page 12.'),
  L('chat-link', 'I found a good explanation at https://jvns.ca/blog/2017/04/27/a-zine-about-networking/'),
  L('chat-link', 'The spec: [OpenAPI 3.1](https://spec.openapis.org/oas/v3.1.0#schema-object)'),
  // README and docs snippets
  L(
    'readme',
    '## Quick start\n\n```sh\ncargo install ripgrep\n```\n\nFull docs: [GUIDE.md](GUIDE.md) and https://github.com/BurntSushi/ripgrep',
  ),
  L('readme', '![Screenshot](docs/screenshot.png)\n\nThe dashboard shows requests per second and p99 latency.'),
  L('readme', '[![npm version](https://img.shields.io/npm/v/left-pad.svg)](https://www.npmjs.com/package/left-pad)'),
  L('readme', '<h1 align="center">Tollbooth</h1>\n<p align="center">Rate limiting for humans.</p>'),
  L('readme', '<details><summary>Windows</summary>\n\nUse `winget install acme.cli`.\n\n</details>'),
  L('readme', 'Hit <kbd>⌘</kbd>+<kbd>K</kbd> to open the command palette.'),
  L('readme', 'Line one<br>\nLine two<br/>\nLine three'),
  L('readme', '<table>\n  <tr><td>Go</td><td>1.22</td></tr>\n  <tr><td>Rust</td><td>1.76</td></tr>\n</table>'),
  L(
    'readme',
    'See the [changelog][changelog] for details.\n\n[changelog]: https://github.com/acme/widget/blob/main/CHANGELOG.md',
  ),
  L('readme', '## Contact\n\nOpen an issue or write to maintainers@example.org.'),
  L('readme', 'Report vulnerabilities to security@project.invalid — do not open public issues.'),
  L('readme', 'Licensed under the BSD 3-Clause license; see https://opensource.org/licenses/BSD-3-Clause'),
  L('readme', 'Try it online at <https://play.golang.org/>.'),
  L('readme', '> **Note**\n> The API at http://localhost:3000 is for development only.'),
  L('readme', '<img src="docs/logo.svg" alt="Logo" width="200">'),
  // e-mail addresses
  L('email', 'git commit --author="John Smith <john@example.com>" -m "Fix typo"'),
  L('email', 'MAIL_FROM_ADDRESS="hello@example.com"\nMAIL_FROM_NAME="${APP_NAME}"'),
  L('email', 'expect(screen.getByLabelText("Email")).toHaveValue("user@example.com");'),
  L('email', 'User.objects.create_user("testuser", "testuser@test.com", "irrelevant")'),
  L('email', 'Enter your address (e.g. firstname.lastname@company.example) and press Continue.'),
  L('email', 'Maintainer: Debian Go Packaging Team <team+pkg-go@tracker.debian.org>'),
  L('email', 'LABEL maintainer="devops@example.com"'),
  L('email', 'sendmail -f noreply@localhost root < message.txt'),
  L('email', '"email": "jdoe@example.invalid",\n"role": "admin"'),
  L('email', 'Send it to <YOUR_EMAIL@DOMAIN.COM> once the form is filled.'),
  L('email', 'From: GitHub <noreply@github.com>\nSubject: [acme/widget] Run failed: CI - main'),
  L('email', 'ACME_EMAIL=ops@mycompany.test certbot renew'),
  // IP addresses
  L('ip', 'uvicorn main:app --host 0.0.0.0 --port 8000'),
  L('ip', 'By default Redis binds to 127.0.0.1 and ::1 only.'),
  L('ip', 'kubectl port-forward svc/grafana 3000:80 --address 127.0.0.1'),
  L('ip', 'nameserver 10.0.0.2\nsearch default.svc.cluster.local'),
  L('ip', 'Router admin page: http://192.168.0.1/'),
  L('ip', 'Use 192.0.2.1 in examples; it belongs to TEST-NET-1.'),
  L('ip', '2024-05-02 10:01:12 sshd[912]: Accepted publickey for deploy from 198.51.100.7 port 52114'),
  L('ip', 'The product version is 4.18.0.147 on RHEL 8.1.'),
  L('ip', 'networks:\n  default:\n    ipam:\n      config:\n        - subnet: 172.28.0.0/16'),
  L('ip', "Cloudflare's resolver is 1.1.1.1 and Google's is 8.8.4.4."),
  L('ip', 'curl http://169.254.169.254/latest/meta-data/ returns the instance metadata.'),
  L('ip', 'File version: 6.1.7601.17514'),
  // code
  L('code', 'resp, err := http.Get("https://api.example.com/v1/status")\nif err != nil {\n\tlog.Fatal(err)\n}'),
  L('code', 'axios.get("https://httpbin.org/get").then((res) => console.log(res.status));'),
  L('code', 'Optional<List<String>> names = repo.findNames();'),
  L('code', 'The function returns a Promise<Array<User>> that resolves after the fetch.'),
  L('code', 'Add <input type="email" required> to the form so the browser validates it.'),
  L('code', 'Use <p class="lead"> for the intro paragraph in Bootstrap.'),
  L('code', 'RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -'),
  L('code', 'npm install --save-dev @types/node@20.11.30'),
  L('code', 'href="https://fonts.googleapis.com/css2?family=Inter&display=swap" is added in the head.'),
  L('code', 'pip install git+https://github.com/psf/requests.git@v2.31.0'),
  // configs
  L('config', 'spring:\n  datasource:\n    url: jdbc:postgresql://localhost:5432/app\n    username: app'),
  L(
    'config',
    '[tool.poetry]\nname = "widget"\nhomepage = "https://widget.readthedocs.io"\nrepository = "https://github.com/acme/widget"',
  ),
  L('config', 'proxy_pass http://127.0.0.1:3000;\nproxy_set_header Host $host;'),
  L('config', 'deb [arch=amd64] https://download.docker.com/linux/ubuntu jammy stable'),
  L(
    'config',
    '"homepage": "https://github.com/acme/widget#readme",\n"bugs": { "url": "https://github.com/acme/widget/issues" }',
  ),
  // logs
  L('log', '127.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 "-" "curl/8.4.0"'),
  L(
    'log',
    'Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
  ),
  L(
    'log',
    'Pulling from library/nginx\nDigest: sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31\nStatus: Downloaded newer image for nginx:latest',
  ),
  L('log', 'ERROR: Could not find a version that satisfies the requirement torch==2.9.0 (from versions: 2.1.0, 2.2.0)'),
  // hashes, versions
  L('hash', 'Fixed in 8e1c2d4; cherry-picked to release-1.29.'),
  L('docs', 'Supported: Python 3.9, 3.10, 3.11 and 3.12. Tested on Ubuntu 22.04.'),
];
