/**
 * The API benchmark's second baseline: the least a `GET /v1/flows/{id}` can cost once it crosses
 * one gRPC hop, as the mesh's does. Two processes: a "front" (`node:http` that verifies the bearer
 * token with jose and makes one grpc-js unary call) and a "store" (a grpc-js server that reads the
 * flow's row by primary key with pg). Bodies are JSON, so no protobuf, no mesh credentials, no
 * rate limit, logs or metrics: what is left is the transport the design's contracts are made of.
 * Started twice by bench/api.bench.ts (ROLE=store, then ROLE=front), so their CPU is measured alone.
 *
 * Env: ROLE (store | front), PORT (front's HTTP), GRPC_PORT, JWT_SECRET, DATABASE_URL,
 * DATABASE_SCHEMA. Prints "listening" once ready.
 */
import { createServer } from "node:http";
import * as grpc from "@grpc/grpc-js";
import { jwtVerify } from "jose";
import pg from "pg";

interface GetRequest {
  id: string;
  tenant: string;
}
interface GetReply {
  flow: Record<string, unknown> | null;
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()),
};
const service: grpc.ServiceDefinition = {
  get: {
    path: "/bench.BareFlows/Get",
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};
// As the mesh runs it (libs/grpc): no channelz bookkeeping.
const channelOptions = { "grpc.enable_channelz": 0 };
const grpcAddress = `127.0.0.1:${process.env.GRPC_PORT}`;

if (process.env.ROLE === "store") startStore();
else startFront();

function startStore(): void {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const table = `"${process.env.DATABASE_SCHEMA}".flows`;
  const server = new grpc.Server(channelOptions);
  server.addService(service, {
    get: (call: grpc.ServerUnaryCall<GetRequest, GetReply>, callback: grpc.sendUnaryData<GetReply>) => {
      pool
        .query({
          name: "flow",
          text: `select * from ${table} where id = $1 and client_account_id = $2`,
          values: [call.request.id, call.request.tenant],
        })
        .then(({ rows }) => callback(null, { flow: rows[0] ?? null }), callback);
    },
  });
  server.bindAsync(grpcAddress, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
    console.log("store listening");
  });
  process.on("SIGTERM", () => server.tryShutdown(() => void pool.end()));
}

function startFront(): void {
  const Client = grpc.makeGenericClientConstructor(service, "BareFlows");
  const client = new Client(grpcAddress, grpc.credentials.createInsecure(), channelOptions);
  const get = (request: GetRequest) =>
    new Promise<GetReply>((resolve, reject) =>
      client.get?.(request, (error: grpc.ServiceError | null, reply: GetReply) =>
        error ? reject(error) : resolve(reply),
      ),
    );
  const key = new TextEncoder().encode(process.env.JWT_SECRET);
  const server = createServer(async (req, res) => {
    try {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!token) throw Object.assign(new Error("unauthenticated"), { status: 401 });
      const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
      const reply = await get({ id: req.url?.split("/").at(-1) ?? "", tenant: String(payload.client_account_id) });
      if (!reply.flow) throw Object.assign(new Error("not found"), { status: 404 });
      const body = JSON.stringify(reply);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    } catch (error) {
      res.writeHead((error as { status?: number }).status ?? 500).end();
    }
  });
  server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("front listening"));
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    client.close();
  });
}
