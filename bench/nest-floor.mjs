// The framework floor: the node:http floor's work (bench/floor-forward.mjs) in one Nest
// controller on @nestjs/platform-express, with Nest's default JSON body parser and nothing else
// (no guard, pipe, interceptor, filter or middleware of the gateway's). The design card fixes this
// stack, so gateway/nest-floor is what the gateway's own work costs, and nest-floor/floor what
// Nest and Express cost before any gateway code runs.
//
// Plain JavaScript, so the decorators are applied by calling them.
//   FLOOR_UPSTREAM=http://127.0.0.1:<port> FLOOR_MODELS='{"alias":"upstream-id"}' node bench/nest-floor.mjs --port N
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Controller, Get, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { forward } from './floor-forward.mjs';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, config: { type: 'string' } } });

class FloorController {
  live() {
    return 'ok';
  }

  forward(req, res) {
    forward(req.originalUrl, req.body, res);
  }
}
const proto = FloorController.prototype;
Controller()(FloorController);
Get('health/liveliness')(proto, 'live', Object.getOwnPropertyDescriptor(proto, 'live'));
Post(['v1/chat/completions', 'v1/responses', 'v1/messages'])(proto, 'forward', Object.getOwnPropertyDescriptor(proto, 'forward'));
Req()(proto, 'forward', 0);
Res()(proto, 'forward', 1);

class FloorModule {}
Module({ controllers: [FloorController] })(FloorModule);

const app = await NestFactory.create(FloorModule, { logger: false });
app.getHttpServer().keepAliveTimeout = 65_000;
await app.listen(Number(values.port), values.host);
