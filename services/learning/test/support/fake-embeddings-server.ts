import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface EmbeddingsRequest {
  authorization: string | undefined;
  body: { model?: string; input?: string[]; dimensions?: number };
}

export interface FakeEmbeddingsServer {
  /** e.g. `http://127.0.0.1:PORT/v1`, what EMBEDDINGS_BASE_URL takes. */
  baseUrl: string;
  requests: EmbeddingsRequest[];
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible `/v1/embeddings` endpoint on loopback. `embed` answers each input with a
 * vector; without it the server accepts the request and never answers (a hanging provider).
 */
export async function startFakeEmbeddingsServer(embed?: (input: string) => number[]): Promise<FakeEmbeddingsServer> {
  const requests: EmbeddingsRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as EmbeddingsRequest["body"];
    requests.push({ authorization: req.headers.authorization, body });
    if (req.method !== "POST" || req.url !== "/v1/embeddings") {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (!embed) return; // hang: the client's timeout has to end it
    const data = (body.input ?? []).map((input, index) => ({ object: "embedding", index, embedding: embed(input) }));
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: 0, total_tokens: 0 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
