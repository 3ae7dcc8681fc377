/**
 * The server half of a SPDY/3.1 session, as kubectl's exec, attach, cp and
 * port-forward speak it (client-go through moby/spdystream): the client opens
 * streams with SYN_STREAM, the server answers each with SYN_REPLY, and both
 * send DATA frames until FIN. Pings are echoed; flow control is not enforced,
 * as spdystream enforces none. Header blocks from the client are inflated with
 * the SPDY dictionary through one zlib stream per session; the server's own
 * header blocks (always empty) go out as stored deflate blocks, which the
 * client's inflater reads like any other.
 */
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY_HEADER_DICTIONARY } from './spdy-dictionary.ts';

/** The bytes a session runs over: a TLS socket after an HTTP upgrade, or a WebSocket tunnel. */
export interface ByteLink {
  write(data: Buffer): void;
  onData(listener: (data: Buffer) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

const FRAME = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
const FLAG_FIN = 0x01;
const RST_REFUSED_STREAM = 3;
const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
const SPDY_VERSION = 3;
/** A client's header block is small; anything near this is not a kubectl. */
const MAX_FRAME = 1 << 24;

export type SpdyHeaders = Map<string, string[]>;

export class SpdyStream {
  readonly id: number;
  readonly headers: SpdyHeaders;
  private readonly session: SpdySession;
  private dataListener: ((data: Buffer) => void) | undefined;
  private endListener: (() => void) | undefined;
  /** Data that came before a listener was set: stdin typed before the process starts. */
  private readonly early: Buffer[] = [];
  private remoteEnded = false;
  localEnded = false;

  constructor(session: SpdySession, id: number, headers: SpdyHeaders) {
    this.session = session;
    this.id = id;
    this.headers = headers;
  }

  header(name: string): string | undefined {
    return this.headers.get(name)?.[0];
  }

  onData(listener: (data: Buffer) => void): void {
    this.dataListener = listener;
    for (const chunk of this.early.splice(0)) listener(chunk);
  }

  onEnd(listener: () => void): void {
    this.endListener = listener;
    if (this.remoteEnded) listener();
  }

  reply(): void {
    this.session.sendControl(FRAME.synReply, 0, Buffer.concat([u32(this.id), this.session.headerBlock()]));
  }

  write(data: Buffer | string): void {
    if (this.localEnded) return;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    for (let offset = 0; offset < bytes.length; offset += 0xffffff) this.session.sendData(this.id, 0, bytes.subarray(offset, offset + 0xffffff));
  }

  end(): void {
    if (this.localEnded) return;
    this.localEnded = true;
    this.session.sendData(this.id, FLAG_FIN, Buffer.alloc(0));
  }

  /** @internal */
  received(data: Buffer, fin: boolean): void {
    if (data.length > 0) {
      if (this.dataListener) this.dataListener(data);
      else this.early.push(data);
    }
    if (fin && !this.remoteEnded) {
      this.remoteEnded = true;
      this.endListener?.();
    }
  }
}

export class SpdySession {
  private readonly link: ByteLink;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflater: Inflate;
  private pending: Buffer = Buffer.alloc(0);
  /** Frames are handled one at a time, in order, while header blocks inflate. */
  private queue: Promise<void> = Promise.resolve();
  private headerBlocksSent = 0;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];
  private streamListener: ((stream: SpdyStream) => void) | undefined;

  constructor(link: ByteLink) {
    this.link = link;
    this.inflater = createInflate({ dictionary: SPDY_HEADER_DICTIONARY });
    this.inflater.on('error', () => this.close());
    link.onData((data) => this.receive(data));
    link.onClose(() => this.finish());
  }

  /** Who handles the streams the client opens; a stream opened before there is one is refused. */
  onStream(listener: (stream: SpdyStream) => void): void {
    this.streamListener = listener;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** GOAWAY, then the link closes: what kubelet's server does when a command ends. */
  close(): void {
    if (this.closed) return;
    this.sendControl(FRAME.goAway, 0, Buffer.concat([u32(0), u32(0)]));
    this.link.close();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflater.close();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private receive(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    while (this.pending.length >= 8) {
      const length = this.pending.readUIntBE(5, 3);
      if (length > MAX_FRAME) return this.close();
      if (this.pending.length < 8 + length) return;
      const frame = this.pending.subarray(0, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      this.queue = this.queue.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4]!;
    const body = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      this.streams.get(frame.readUInt32BE(0) & 0x7fffffff)?.received(body, (flags & FLAG_FIN) !== 0);
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case FRAME.synStream: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(await this.inflate(body.subarray(10)));
        const stream = new SpdyStream(this, id, headers);
        if (!this.streamListener) return this.sendControl(FRAME.rstStream, 0, Buffer.concat([u32(id), u32(RST_REFUSED_STREAM)]));
        this.streams.set(id, stream);
        this.streamListener(stream);
        if (flags & FLAG_FIN) stream.received(Buffer.alloc(0), true);
        return;
      }
      case FRAME.headers:
        await this.inflate(body.subarray(4));
        return;
      case FRAME.rstStream:
        this.streams.get(body.readUInt32BE(0) & 0x7fffffff)?.received(Buffer.alloc(0), true);
        return;
      case FRAME.ping:
        this.sendControl(FRAME.ping, 0, body.subarray(0, 4));
        return;
      case FRAME.goAway:
        this.close();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE change nothing here: no flow control is enforced either way.
        return;
    }
  }

  private inflate(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const collect = (chunk: Buffer) => chunks.push(chunk);
      this.inflater.on('data', collect);
      this.inflater.write(block, (error) => {
        if (error) reject(error);
      });
      this.inflater.flush(constants.Z_SYNC_FLUSH, () => {
        this.inflater.off('data', collect);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  /** @internal An empty header block, compressed as the client's inflater expects it. */
  headerBlock(): Buffer {
    const plain = u32(0);
    // A stored (uncompressed) deflate block: BFINAL=0, BTYPE=00, then LEN and its complement; then an
    // empty one, the marker a sync flush ends with, without which Go's inflater reads on past the frame.
    const stored = Buffer.concat([Buffer.from([0x00, plain.length & 0xff, plain.length >> 8, ~plain.length & 0xff, (~plain.length >> 8) & 0xff]), plain, SYNC_FLUSH_MARKER]);
    // The first block of the session's zlib stream carries the zlib header: FDICT set, with the dictionary's Adler-32.
    return this.headerBlocksSent++ === 0 ? Buffer.concat([Buffer.from([0x78, 0xbb]), u32(adler32(SPDY_HEADER_DICTIONARY)), stored]) : stored;
  }

  /** @internal */
  sendControl(type: number, flags: number, body: Buffer): void {
    if (this.closed) return;
    const header = Buffer.alloc(8);
    header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
    header.writeUInt16BE(type, 2);
    header.writeUInt32BE((((flags & 0xff) << 24) | body.length) >>> 0, 4);
    this.link.write(Buffer.concat([header, body]));
  }

  /** @internal */
  sendData(id: number, flags: number, data: Buffer): void {
    if (this.closed) return;
    const header = Buffer.alloc(8);
    header.writeUInt32BE(id & 0x7fffffff, 0);
    header.writeUInt32BE((((flags & 0xff) << 24) | data.length) >>> 0, 4);
    this.link.write(Buffer.concat([header, data]));
  }
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** count, then (name length, name, value length, values joined by NUL) per header; all lengths 32-bit. */
function parseHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let offset = 0;
  const take = () => {
    const length = block.readUInt32BE(offset);
    const value = block.subarray(offset + 4, offset + 4 + length).toString('utf8');
    offset += 4 + length;
    return value;
  };
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    headers.set(name, take().split('\0'));
  }
  return headers;
}
