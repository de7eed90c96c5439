// The floor: the least any JSON-aware Node gateway must do, measured beside Switchboard in the
// same run. It parses the request body, maps `model` to the upstream id, forwards on a keep-alive
// agent, and re-serialises a JSON answer with `model` set back to the name the client sent.
// Streams are passed through chunk by chunk with the upstream id replaced by the client's name.
// No auth, limits, routing, validation or metering: the ratio gateway/floor is the cost of those.
//
// Started by bench/run.mjs like the gateway (same probe preload, own process):
//   FLOOR_UPSTREAM=http://127.0.0.1:<port> FLOOR_MODELS='{"alias":"upstream-id"}' node bench/floor-proxy.mjs --port N
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, config: { type: 'string' } } });
const upstream = new URL(process.env.FLOOR_UPSTREAM);
const models = JSON.parse(process.env.FLOOR_MODELS ?? '{}');
const authFor = JSON.parse(process.env.FLOOR_AUTH ?? '{}');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function fail(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'api_error' } }));
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') return res.end('ok'); // liveliness, for the runner's start-up poll
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return fail(res, 400, 'invalid JSON');
    }
    const asked = body.model;
    const target = models[asked];
    if (!target) return fail(res, 404, 'unknown model');
    body.model = target;
    const payload = JSON.stringify(body);
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: 'POST', agent,
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
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), values.host);
