import type { ReadinessReport } from "../http/readiness.ts";
import type { Route } from "./rest-router.ts";
import { sendJson } from "./send-json.ts";

/** `/healthz`: 200 while the process runs. `/readyz`: 200 only when every dependency is ready, else 503 naming those that are not. */
export function healthRoutes(checkReadiness: () => Promise<ReadinessReport>): Route[] {
  return [
    {
      method: "GET",
      template: "/healthz",
      async handle(ctx) {
        sendJson(ctx.res, 200, { status: "ok" });
      },
    },
    {
      method: "GET",
      template: "/readyz",
      async handle(ctx) {
        const report = await checkReadiness();
        sendJson(ctx.res, report.ready ? 200 : 503, {
          status: report.ready ? "ready" : "not_ready",
          checks: report.checks,
          not_ready: report.not_ready,
        });
      },
    },
  ];
}
