/** Reads and decodes request bodies, with the size limit a real API server enforces. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubernetesProtobuf, ProtobufError } from './protobuf.ts';
import { checkDepth } from './quotas.ts';
import { errors } from '../machinery/status.ts';
import { goJsonError } from './go-json-error.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await discard(req);
    throw errors.tooLarge(MAX_BODY_BYTES);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      await discard(req);
      throw errors.tooLarge(MAX_BODY_BYTES);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** How much of an oversized body is read and thrown away before answering; past it, the connection is cut. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * Reads the rest of a body nobody will use, as Go's server does before it
 * answers: a client still sending when the answer comes sees "broken pipe",
 * not the 413 it should print.
 */
async function discard(req: IncomingMessage): Promise<void> {
  let read = 0;
  for await (const chunk of req) {
    read += (chunk as Buffer).length;
    if (read > MAX_DISCARD_BYTES) {
      req.socket.destroy();
      return;
    }
  }
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

const OBJECT_TYPES = new Set(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', '*/*']);

/** Create and update take whole objects; patch formats belong to PATCH. */
export function checkObjectMediaType(type: string): void {
  if (!OBJECT_TYPES.has(type))
    throw errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** Decodes an object body: JSON, YAML, or Kubernetes protobuf; none may nest deeper than the limit. */
export function decodeObject(body: Buffer, type: string): unknown {
  const value = decodeAny(body, type);
  checkDepth(value);
  return value;
}

function decodeAny(body: Buffer, type: string): unknown {
  if (body.length === 0) throw errors.badRequest('the request has no body; send the object as JSON');
  if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubernetesProtobuf(body);
    } catch (error) {
      if (error instanceof ProtobufError) throw errors.badRequest(error.message);
      throw error;
    }
  }
  const text = body.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text);
    } catch (error) {
      throw errors.badRequest(`error converting YAML to JSON: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${goJsonError(text)}`);
  }
}
