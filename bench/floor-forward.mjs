// What both floors do once they hold a parsed body: map `model`, forward on a keep-alive agent,
// and answer with `model` set back (JSON re-serialised; streams passed through with the id
// replaced). bench/floor-proxy.mjs runs it on bare node:http, bench/nest-floor.mjs inside a Nest
// controller on @nestjs/platform-express, so the two differ only by the framework.
import http from 'node:http';

const upstream = new URL(process.env.FLOOR_UPSTREAM);
const models = JSON.parse(process.env.FLOOR_MODELS ?? '{}');
const authFor = JSON.parse(process.env.FLOOR_AUTH ?? '{}');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

export function fail(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'api_error' } }));
}

/** `res` is a node:http ServerResponse (Express's response is one). */
export function forward(path, body, res) {
  const asked = body.model;
  const target = models[asked];
  if (!target) return fail(res, 404, 'unknown model');
  body.model = target;
  const payload = JSON.stringify(body);
  const up = http.request(
    { host: upstream.hostname, port: upstream.port, path, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...authFor[asked] } },
    (ur) => {
      if (body.stream === true) {
        res.writeHead(ur.statusCode, { 'content-type': ur.headers['content-type'] ?? 'text/event-stream' });
        ur.setEncoding('utf8');
        ur.on('data', (text) => res.write(text.replaceAll(target, asked)));
        ur.on('end', () => res.end());
        return;
      }
      const parts = [];
      ur.on('data', (c) => parts.push(c));
      ur.on('end', () => {
        const answer = JSON.parse(Buffer.concat(parts).toString('utf8'));
        answer.model = asked;
        const out = JSON.stringify(answer);
        res.writeHead(ur.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
        res.end(out);
      });
    },
  );
  up.on('error', (err) => fail(res, 502, err.message));
  // A client that hangs up mid-stream frees the upstream too.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  up.end(payload);
}
