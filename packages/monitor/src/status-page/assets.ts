/**
 * The page's script and style sheet, built into dist/assets by scripts/build-web.mjs, served under a content hash so
 * browsers keep them for a year and fetch a new one when it changes.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync } from 'node:zlib';

export const ASSET_PREFIX = '/status-assets/';

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
}

/** dist/assets of this package: the same place from src/status-page (tests) and dist/status-page. */
const WEB_DIR = new URL('../../dist/assets/', import.meta.url);

/** A built file of dist/assets, served under `prefix` with its content hash in the name. */
export function loadAsset(file: string, type: string, prefix = ASSET_PREFIX): Asset {
  let body: Buffer;
  try {
    body = readFileSync(new URL(file, WEB_DIR));
  } catch {
    throw new Error(`${file} is missing from ${fileURLToPath(WEB_DIR)}: run "npm run build" first`);
  }
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [name, extension] = file.split('.');
  return { path: `${prefix}${name}.${hash}.${extension}`, type, body, gzip: gzipSync(body), br: brotliCompressSync(body), etag: `"${hash}"` };
}

export interface StatusAssets {
  script: Asset;
  style: Asset;
}

let loaded: StatusAssets | undefined;

export function statusAssets(): StatusAssets {
  loaded ??= { script: loadAsset('status.js', 'text/javascript; charset=utf-8'), style: loadAsset('status.css', 'text/css; charset=utf-8') };
  return loaded;
}

/** Sends an asset for a year (its name changes with its content), compressed when the client accepts it. */
export function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset, etag: string): void {
  const headers = { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable', etag, vary: 'Accept-Encoding', 'x-content-type-options': 'nosniff' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const accept = String(req.headers['accept-encoding'] ?? '');
  const [encoding, data] = /\bbr\b/.test(accept) ? (['br', asset.br] as const) : /\bgzip\b/.test(accept) ? (['gzip', asset.gzip] as const) : ([undefined, asset.body] as const);
  res.writeHead(200, { ...headers, ...(encoding ? { 'content-encoding': encoding } : {}), 'content-length': String(data.length) });
  res.end(req.method === 'HEAD' ? undefined : data);
}
