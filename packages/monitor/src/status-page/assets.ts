/**
 * The page's script and style sheet, built into dist/assets by scripts/build-web.mjs, served under a content hash so
 * browsers keep them for a year and fetch a new one when it changes.
 */
import { createHash } from 'node:crypto';
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

function load(file: string, type: string): Asset {
  let body: Buffer;
  try {
    body = readFileSync(new URL(file, WEB_DIR));
  } catch {
    throw new Error(`the status page's ${file} is missing from ${fileURLToPath(WEB_DIR)}: run "npm run build" first`);
  }
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [name, extension] = file.split('.');
  return { path: `${ASSET_PREFIX}${name}.${hash}.${extension}`, type, body, gzip: gzipSync(body), br: brotliCompressSync(body), etag: `"${hash}"` };
}

export interface StatusAssets {
  script: Asset;
  style: Asset;
}

let loaded: StatusAssets | undefined;

export function statusAssets(): StatusAssets {
  loaded ??= { script: load('status.js', 'text/javascript; charset=utf-8'), style: load('status.css', 'text/css; charset=utf-8') };
  return loaded;
}
