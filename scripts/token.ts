/**
 * Prints a development bearer token, alone on stdout:
 *   npm run token -- --client acme [--engagement wave1] [--sub alice] [--roles admin,analyst] [--ttl 8h]
 * Signed with JWT_SECRET (the same default `npm start` gives the gateway).
 */
import { parseArgs } from "node:util";
import { DEV_JWT_SECRET } from "@migrate/config";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";

const { values } = parseArgs({
  options: {
    client: { type: "string" },
    engagement: { type: "string" },
    sub: { type: "string", default: "dev-user" },
    roles: { type: "string", default: "analyst" },
    ttl: { type: "string", default: "8h" },
  },
});
if (!values.client) {
  console.error(
    "usage: npm run token -- --client <client_account_id> [--engagement <id>] [--sub <user>] [--roles a,b]",
  );
  process.exit(2);
}
const token = await signDevToken({
  client: values.client,
  engagement: values.engagement,
  sub: values.sub ?? "dev-user",
  roles: (values.roles ?? "").split(",").filter(Boolean),
  secret: process.env.JWT_SECRET ?? DEV_JWT_SECRET,
  expiresIn: values.ttl ?? "8h",
});
process.stdout.write(`${token}\n`);
