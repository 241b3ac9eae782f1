import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { MeshError } from "@migrate/errors";

/** Where `npm run build -w @migrate/console` writes the console (services/gateway/console/dist). */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, "../../console/dist");

/**
 * The page's policy: scripts and styles only from the gateway's own files (no inline script,
 * no eval), calls only to the gateway itself, no plugins, no framing, no foreign form targets.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".txt"]);
const IMMUTABLE = "public, max-age=31536000, immutable";

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

interface CachedFile {
  body: Buffer;
  gzip?: Buffer;
  mtimeMs: number;
}

/**
 * Serves the built console for GET and HEAD of any path outside the API: a file that exists as
 * itself (hashed files under /assets/ cached for a year), any other path without an extension
 * as index.html (the console's client routes; never cached, so a new build shows at once).
 * Returns false when the request is not the console's (the caller answers 404 as for any route).
 */
export function createConsoleHandler(options: { dir?: string } = {}): ConsoleHandler {
  const root = resolve(options.dir ?? DEFAULT_CONSOLE_DIR);
  const cache = new Map<string, CachedFile>();

  const load = async (file: string): Promise<CachedFile | undefined> => {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(file);
    const entry: CachedFile = {
      body,
      gzip: COMPRESSIBLE.has(extname(file)) && body.length > 1024 ? gzipSync(body) : undefined,
      mtimeMs: info.mtimeMs,
    };
    cache.set(file, entry);
    return entry;
  };

  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = url.pathname;
    if (path.startsWith("/v1/") || path === "/v1") return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return false;
    }
    const target = resolve(root, `.${decoded}`);
    if (target !== root && !target.startsWith(root + sep)) return false;
    const isAsset = extname(path) !== "";
    const file = isAsset ? target : join(root, "index.html");
    const entry = await load(file);
    if (!entry) {
      if (isAsset) return false;
      throw new MeshError(
        "UNAVAILABLE",
        "the web console is not built; run npm run setup (or npm run build -w @migrate/console)",
      );
    }
    const ext = extname(file);
    const headers: Record<string, string | number> = {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      vary: "accept-encoding",
      "cache-control": path.startsWith("/assets/") ? IMMUTABLE : "no-cache",
    };
    if (ext === ".html") {
      headers["content-security-policy"] = CONSOLE_CSP;
      headers["cross-origin-opener-policy"] = "same-origin";
    }
    const gzip = entry.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip ? (entry.gzip as Buffer) : entry.body;
    if (gzip) headers["content-encoding"] = "gzip";
    headers["content-length"] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
