import { DEV_JWT_SECRET } from "@migrate/config";
import { TENANT_ID } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import { signDevToken } from "../auth/dev-token.ts";
import { readJsonBody } from "./read-json-body.ts";
import type { Route } from "./rest-router.ts";
import { sendJson } from "./send-json.ts";

const ROLES = ["viewer", "analyst", "admin"];
const LIFETIME_SECONDS = 8 * 60 * 60;

/**
 * True when the gateway verifies tokens with the well-known development secret (no JWKS, no
 * secret of its own, or that very secret) outside production: anyone can sign such tokens
 * already, so handing one out reveals nothing. Anywhere else the sign-in route does not exist.
 */
export function usesDevelopmentSecret(config: {
  NODE_ENV: string;
  JWT_SECRET?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
}): boolean {
  if (config.JWT_JWKS_URL || config.NODE_ENV === "production") return false;
  return config.JWT_SECRET === undefined || config.JWT_SECRET === DEV_JWT_SECRET;
}

/**
 * `POST /v1/dev/token` `{"client_account_id","engagement_id"?,"user"?,"roles"?}`: a token signed
 * with the development secret, for the console's development sign-in. Registered only when
 * `usesDevelopmentSecret` holds (main.ts), so elsewhere it is an unknown route (404).
 */
export function devTokenRoute(options: { issuer?: string; audience?: string }): Route {
  return {
    method: "POST",
    template: "/v1/dev/token",
    async handle(ctx) {
      const body = (await readJsonBody(ctx.req)) ?? {};
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new MeshError("INVALID_ARGUMENT", "the body must be a JSON object", { field: "body" });
      }
      const input = body as Record<string, unknown>;
      const client = input.client_account_id;
      if (typeof client !== "string" || !TENANT_ID.test(client)) {
        throw new MeshError("INVALID_ARGUMENT", "client_account_id must be 1-64 letters, digits, _ or -", {
          field: "client_account_id",
        });
      }
      const engagement = input.engagement_id ?? "";
      if (typeof engagement !== "string" || (engagement !== "" && !TENANT_ID.test(engagement))) {
        throw new MeshError("INVALID_ARGUMENT", "engagement_id must be empty or 1-64 letters, digits, _ or -", {
          field: "engagement_id",
        });
      }
      const user = input.user ?? "dev-user";
      if (typeof user !== "string" || !/^[\w.@-]{1,128}$/.test(user)) {
        throw new MeshError("INVALID_ARGUMENT", "user must be 1-128 letters, digits or _ . @ -", { field: "user" });
      }
      const roles = input.roles ?? ["analyst"];
      if (!Array.isArray(roles) || !roles.every((role) => typeof role === "string" && ROLES.includes(role))) {
        throw new MeshError("INVALID_ARGUMENT", `roles must be a list of ${ROLES.join(", ")}`, {
          field: "roles",
          valid: ROLES,
        });
      }
      const token = await signDevToken({
        client,
        engagement,
        sub: user,
        roles: roles as string[],
        secret: DEV_JWT_SECRET,
        expiresIn: LIFETIME_SECONDS,
        issuer: options.issuer,
        audience: options.audience,
      });
      const expiresAt = new Date(Date.now() + LIFETIME_SECONDS * 1000).toISOString();
      sendJson(ctx.res, 201, { token, expires_at: expiresAt });
    },
  };
}
