/**
 * Answers with a body built once and compressed once per encoding (gzip, brotli), with its ETag: a status page
 * hit by many readers costs a lookup, not a render and a compression each.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export class CompressedBody {
  readonly etag: string;
  private gzipped: Promise<Buffer> | undefined;
  private brotli: Promise<Buffer> | undefined;

  constructor(readonly body: Buffer) {
    this.etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  }

  /** The body in the best encoding the request accepts. */
  async encoded(req: IncomingMessage): Promise<{ encoding?: 'br' | 'gzip'; data: Buffer }> {
    const accept = String(req.headers['accept-encoding'] ?? '');
    // Small bodies are not worth it.
    if (this.body.length < 1024) return { data: this.body };
    if (/\bbr\b/.test(accept)) {
      // Quality 5: most of brotli's gain at a fraction of the CPU of its maximum (a 2 MB page in tens of ms).
      this.brotli ??= brotliAsync(this.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
      return { encoding: 'br', data: await this.brotli };
    }
    if (/\bgzip\b/.test(accept)) {
      this.gzipped ??= gzipAsync(this.body, { level: 6 });
      return { encoding: 'gzip', data: await this.gzipped };
    }
    return { data: this.body };
  }
}

/** Sends `body` with its ETag (304 when the client has it), compressed when the client accepts it. */
export async function sendCompressed(
  req: IncomingMessage,
  res: ServerResponse,
  body: CompressedBody,
  headers: Record<string, string>,
): Promise<void> {
  const common = { ...headers, etag: body.etag, vary: 'Accept-Encoding' };
  const match = req.headers['if-none-match'];
  if (typeof match === 'string' && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === body.etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const { encoding, data } = await body.encoded(req);
  res.writeHead(200, { ...common, ...(encoding ? { 'content-encoding': encoding } : {}), 'content-length': String(data.length) });
  res.end(req.method === 'HEAD' ? undefined : data);
}
