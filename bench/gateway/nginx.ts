// nginx as the ceiling of a proxy hop: `proxy_pass` to the same simulator, keep-alive on both sides, no
// buffering (SSE passes through as it comes), no access log. Its own prefix and config in the benchmark's temp
// dir, listening on 127.0.0.1 only, in the foreground (`daemon off`) so the master and its workers share the
// process group the benchmark stops. One worker by default: every gateway it is compared with is one process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NginxOptions {
  prefix: string;
  port: number;
  /** host:port of the simulator answering non-streamed requests */
  upstream: string;
  /** host:port of the streaming simulator, chosen by the request header `x-bench-upstream: stream` */
  streamUpstream: string;
  workers: number;
}

export const NGINX_STREAM_HEADER = 'x-bench-upstream';

export function nginxConfig(o: NginxOptions): string {
  const p = (f: string): string => join(o.prefix, f);
  const up = (name: string, addr: string): string =>
    `  upstream ${name} {\n    server ${addr};\n    keepalive 256;\n    keepalive_requests 1000000;\n    keepalive_timeout 60s;\n  }`;
  return [
    'daemon off;',
    'master_process on;',
    `worker_processes ${o.workers};`,
    `pid ${p('nginx.pid')};`,
    `error_log ${p('error.log')} warn;`,
    'events {',
    '  worker_connections 4096;',
    '}',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${p('client_body')};`,
    `  proxy_temp_path ${p('proxy')};`,
    `  fastcgi_temp_path ${p('fastcgi')};`,
    `  uwsgi_temp_path ${p('uwsgi')};`,
    `  scgi_temp_path ${p('scgi')};`,
    '  client_body_buffer_size 1m;',
    '  client_max_body_size 2m;',
    '  keepalive_timeout 75s;',
    '  keepalive_requests 1000000;',
    up('sim', o.upstream),
    up('sim_stream', o.streamUpstream),
    `  map $http_${NGINX_STREAM_HEADER.replace(/-/g, '_')} $bench_upstream {`,
    '    default sim;',
    '    stream sim_stream;',
    '  }',
    '  server {',
    `    listen 127.0.0.1:${o.port};`,
    '    location / {',
    '      proxy_pass http://$bench_upstream;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_buffering off;',
    '      proxy_request_buffering off;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

export function nginxPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v nginx || { test -x /usr/sbin/nginx && echo /usr/sbin/nginx; }'], {
    encoding: 'utf8',
  });
  const p = r.stdout.trim();
  if (p === '')
    throw new Error('nginx is not installed: run `bench/gateway/setup-peers.sh nginx` (apt-get install nginx)');
  return p;
}

/** Writes the prefix and config; returns the argv that runs nginx in the foreground with them. */
export function prepareNginx(o: NginxOptions): string[] {
  mkdirSync(o.prefix, { recursive: true });
  const conf = join(o.prefix, 'nginx.conf');
  writeFileSync(conf, nginxConfig(o));
  // -e: the error log before the config is read (otherwise the packaged /var/log/nginx/error.log)
  return ['-p', o.prefix, '-e', join(o.prefix, 'error.log'), '-c', conf];
}
