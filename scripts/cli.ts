/**
 * migrate-mesh: discovery flows from the command line, against a running gateway.
 *
 *   npm run cli -- discover <file> [--connections <file>] [--name <name>] [--approve]
 *   npm run cli -- watch <flow-id> [--approve]
 *   npm run cli -- approve <flow-id> [--correct "Source column=target_field" ...]
 *   npm run cli -- export <flow-id> [--format csv|json] [--out <file>]
 *   npm run cli -- report <flow-id>
 *
 * Gateway: --url or MIGRATE_URL (default http://127.0.0.1:8080). Token: --token or MIGRATE_TOKEN,
 * else one is signed with the development secret for --client (default "demo").
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { DEV_JWT_SECRET } from "@migrate/config";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";
import { type Correction, createGatewayClient, GatewayError } from "./lib/gateway-client.ts";
import { formatMappings, formatReport } from "./lib/print-report.ts";
import { watchFlow } from "./lib/watch-flow.ts";

const USAGE = `usage: migrate-mesh <command> [options]

commands:
  discover <file> [--connections <file>] [--name <name>] [--approve]
                      upload an inventory, follow the flow live, print the assessment
  watch <flow-id> [--approve]
                      follow a flow's events to its end and print the assessment
  approve <flow-id> [--correct "Source column=target_field" ...]
                      approve the suggested mappings of a waiting flow, with corrections
  export <flow-id> [--format csv|json] [--out <file>]
                      download the assessed inventory (to stdout without --out)
  report <flow-id>    print the assessment summary

options:
  --url <url>         gateway URL (MIGRATE_URL, default http://127.0.0.1:8080)
  --token <jwt>       bearer token (MIGRATE_TOKEN; default: signed with the development secret)
  --client <id>       client account of the development token (default demo)
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      client: { type: "string", default: "demo" },
      connections: { type: "string" },
      name: { type: "string" },
      approve: { type: "boolean", default: false },
      correct: { type: "string", multiple: true },
      format: { type: "string", default: "csv" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const needs = (what: string) => {
    if (!target) throw new UsageError(`${command} needs a ${what}`);
    return target;
  };
  const token =
    values.token ||
    process.env.MIGRATE_TOKEN ||
    (await signDevToken({
      client: values.client ?? "demo",
      sub: process.env.USER || "cli",
      roles: ["analyst"],
      secret: process.env.JWT_SECRET ?? DEV_JWT_SECRET,
      expiresIn: "8h",
    }));
  const client = createGatewayClient({ url: values.url || process.env.MIGRATE_URL || "http://127.0.0.1:8080", token });

  switch (command) {
    case "discover": {
      const file = needs("file");
      const started = Date.now();
      const flow = await client.createFlow({ inventory: file, connections: values.connections, name: values.name });
      console.log(
        `Created flow ${flow.id} "${flow.name}": ${fmt(flow.raw_record_count)} rows` +
          (values.connections ? `, ${fmt(flow.connection_count)} connections` : ""),
      );
      return finish(client, await watchFlow(client, flow.id, { approve: values.approve }), started);
    }
    case "watch": {
      const started = Date.now();
      return finish(client, await watchFlow(client, needs("flow id"), { approve: values.approve }), started);
    }
    case "approve": {
      const corrections = (values.correct ?? []).map(parseCorrection);
      const approved = await client.approveMappings(needs("flow id"), corrections);
      console.log(`Approved ${approved.mappings.length} mappings; the flow is ${approved.flow.status}:`);
      console.log(formatMappings(approved.mappings));
      return 0;
    }
    case "export": {
      const format = values.format === "json" ? "json" : values.format === "csv" ? "csv" : undefined;
      if (!format) throw new UsageError("--format must be csv or json");
      const res = await client.exportAssets(needs("flow id"), format);
      if (!res.body) throw new Error("the export has no body");
      const destination = values.out ? createWriteStream(values.out) : process.stdout;
      await pipeline(Readable.fromWeb(res.body as never), destination, { end: Boolean(values.out) });
      if (values.out) console.error(`wrote ${values.out}`);
      return 0;
    }
    case "report":
      console.log(formatReport(await client.report(needs("flow id"))));
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function finish(
  client: ReturnType<typeof createGatewayClient>,
  result: Awaited<ReturnType<typeof watchFlow>>,
  started: number,
): Promise<number> {
  const { flow } = result;
  if (flow.status !== "completed") {
    console.error(`Flow ${flow.id} ended ${flow.status}${flow.status_message ? `: ${flow.status_message}` : ""}`);
    return 1;
  }
  console.log(`\n${formatReport(await client.report(flow.id))}`);
  console.log(`  Wall time                ${((Date.now() - started) / 1000).toFixed(2)} s (this command)`);
  return 0;
}

/** `Source column=target_field`; the last `=` splits, since targets never hold one. */
function parseCorrection(text: string): Correction {
  const at = text.lastIndexOf("=");
  if (at <= 0) throw new UsageError(`--correct "${text}": expected "Source column=target_field"`);
  return { source_field: text.slice(0, at), target_field: text.slice(at + 1) };
}

function fmt(value: number): string {
  return Number(value).toLocaleString("en-US");
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof GatewayError) {
    const valid = error.details.valid;
    console.error(`error: ${error.message} (${error.code}${error.status ? `, HTTP ${error.status}` : ""})`);
    if (Array.isArray(valid) && !error.message.includes(String(valid[0]))) console.error(`valid: ${valid.join(", ")}`);
    process.exitCode = 1;
  } else {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
