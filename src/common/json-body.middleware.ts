import { isUtf8 } from 'node:buffer';
import { Inject, Injectable, NestMiddleware, Optional } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, GatewayError } from './gateway-error.js';

export const BODY_LIMIT_BYTES = Symbol('BODY_LIMIT_BYTES');
export const DEFAULT_BODY_LIMIT = 20 * 1024 * 1024;
const MAX_DEPTH = 128;
/** An oversized body is read and thrown away up to this multiple of the limit, then cut off. */
const DISCARD_FACTOR = 4;
const DISCARD_MS = 10_000;
/**
 * `curl -d` sends application/x-www-form-urlencoded and LiteLLM parses the body as JSON anyway,
 * so any declared type is read as JSON; only multipart (a real file upload) is refused.
 */
const MULTIPART_TYPE = /^multipart\//i;

/**
 * Reads and parses JSON bodies. Replaces Express's parser so that every way a body can be
 * wrong — too large, not JSON, not UTF-8, absurdly nested — becomes a GatewayError (and so a
 * 4xx from the one filter) instead of an HTML page or a 500.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  constructor(@Optional() @Inject(BODY_LIMIT_BYTES) private readonly limit: number = DEFAULT_BODY_LIMIT) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.method === 'DELETE') {
      if (!hasBody(req)) return next();
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limit) {
      res.setHeader('Connection', 'close');
      if (declared > this.limit * DISCARD_FACTOR) {
        req.resume();
        throw tooLarge(this.limit);
      }
      await discardBody(req, 0, this.limit);
    }
    const contentType = req.headers['content-type'];
    if (hasBody(req) && contentType && MULTIPART_TYPE.test(contentType)) {
      req.resume();
      throw new GatewayError(
        ErrorCode.UnsupportedMediaType,
        `Unsupported Content-Type '${contentType}': send the body as application/json.`,
      );
    }
    const buffer = await readBody(req, res, this.limit);
    if (buffer.length === 0) {
      if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
        throw GatewayError.invalid('The request body is empty; expected a JSON object.');
      }
      return next();
    }
    if (!isUtf8(buffer)) throw GatewayError.invalid('The request body is not valid UTF-8.');
    let text = buffer.toString('utf8');
    // What a fatal TextDecoder did before: a leading BOM is not part of the JSON text.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw GatewayError.invalid(`The request body is not valid JSON: ${(err as Error).message}`);
    }
    if (depthExceeds(body, MAX_DEPTH)) throw GatewayError.invalid(`The request body is nested deeper than ${MAX_DEPTH} levels.`);
    req.body = body;
    next();
  }
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(ErrorCode.PayloadTooLarge, `The request body is larger than the limit of ${limit} bytes.`);
}

function readBody(req: Request, res: Response, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        chunks.length = 0;
        res.setHeader('Connection', 'close');
        discardBody(req, size, limit).catch(reject);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onError = (err: Error) => reject(GatewayError.invalid(`The request body could not be read: ${err.message}`));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}

/**
 * Reads and throws away the rest of an oversized body, then throws the 413. Answering (with
 * Connection: close) while the client is still writing would close the socket under it, and a
 * client mid-write sees ECONNRESET/EPIPE instead of the 413 (and the SDKs retry). Bounded: past
 * DISCARD_FACTOR × the limit, or DISCARD_MS, the 413 goes out and the connection is cut anyway.
 */
function discardBody(req: Request, alreadyRead: number, limit: number): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    let size = alreadyRead;
    const refuse = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', refuse);
      req.off('error', refuse);
      req.off('close', refuse);
      reject(tooLarge(limit));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit * DISCARD_FACTOR) refuse();
    };
    const timer = setTimeout(refuse, DISCARD_MS);
    timer.unref();
    req.on('data', onData);
    req.once('end', refuse);
    req.once('error', refuse);
    req.once('close', refuse);
    req.resume();
  });
}

/**
 * Recursion stops at `max` levels, so a hostile body cannot overflow the stack here; JSON.parse
 * has already bounded the input. No per-node allocation (this runs on every request).
 */
function depthExceeds(node: unknown, max: number): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (max <= 0) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (child !== null && typeof child === 'object' && depthExceeds(child, max - 1)) return true;
    }
    return false;
  }
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object' && depthExceeds(child, max - 1)) return true;
  }
  return false;
}
