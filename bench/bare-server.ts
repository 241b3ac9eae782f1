/**
 * The API benchmark's baseline: the least a `GET /v1/flows/{id}` can do on this machine. A bare
 * `node:http` server that verifies the same kind of bearer token (jose, HS256) and reads the
 * flow's row by primary key with pg, nothing else (no gRPC hop, no rate limit, no log line).
 * Started by bench/api.bench.ts as its own process, so its CPU is measured alone.
 *
 * Env: PORT, JWT_SECRET, DATABASE_URL, DATABASE_SCHEMA. Prints "bare server listening" once ready.
 */
import { createServer } from "node:http";
import { jwtVerify } from "jose";
import pg from "pg";

const key = new TextEncoder().encode(process.env.JWT_SECRET);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const table = `"${process.env.DATABASE_SCHEMA}".flows`;

const server = createServer(async (req, res) => {
  try {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) throw Object.assign(new Error("unauthenticated"), { status: 401 });
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
    const id = req.url?.split("/").at(-1);
    const { rows } = await pool.query({
      name: "flow",
      text: `select * from ${table} where id = $1 and client_account_id = $2`,
      values: [id, payload.client_account_id],
    });
    if (!rows[0]) throw Object.assign(new Error("not found"), { status: 404 });
    const body = JSON.stringify({ flow: rows[0] });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    res.writeHead((error as { status?: number }).status ?? 500).end();
  }
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("bare server listening"));
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
