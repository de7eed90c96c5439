// The floor: the least any JSON-aware Node gateway must do, measured beside Switchboard in the
// same run. It parses the request body, maps `model` to the upstream id, forwards on a keep-alive
// agent, and re-serialises a JSON answer with `model` set back to the name the client sent
// (bench/floor-forward.mjs). No auth, limits, routing, validation or metering: the ratio
// gateway/floor is the cost of those plus the framework's.
//
// Started by bench/run.mjs like the gateway (same probe preload, own process):
//   FLOOR_UPSTREAM=http://127.0.0.1:<port> FLOOR_MODELS='{"alias":"upstream-id"}' node bench/floor-proxy.mjs --port N
import http from 'node:http';
import { parseArgs } from 'node:util';
import { fail, forward } from './floor-forward.mjs';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, config: { type: 'string' } } });

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
    forward(req.url, body, res);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), values.host);
