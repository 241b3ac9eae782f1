import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@migrate/logger";
import { decodePathSegment } from "../http/request-target.ts";

/** What a REST handler gets for one request. */
export interface RestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  requestId: string;
  logger: Logger;
}

export interface Route {
  method: string;
  /** The path with placeholders, e.g. `/v1/flows/{id}`: the metrics label, never the raw path. */
  template: string;
  handle(ctx: RestContext): Promise<void>;
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method_not_allowed"; template: string; allowed: string[] }
  | { kind: "not_found" };

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/**
 * Matches a method and path against route templates whose `{name}` segments capture one segment.
 * A captured segment with a malformed percent-encoding throws INVALID_ARGUMENT (400).
 */
export function createRestRouter(routes: Route[]): (method: string, path: string) => RouteMatch {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.template
      .split("/")
      .map((segment) => {
        const placeholder = /^\{(\w+)\}$/.exec(segment);
        if (!placeholder?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(placeholder[1]);
        return "([^/]+)";
      })
      .join("/");
    return { route, pattern: new RegExp(`^${source}/?$`), names };
  });
  return (method, path) => {
    const allowed: string[] = [];
    let template = "";
    for (const { route, pattern, names } of compiled) {
      const match = pattern.exec(path);
      if (!match) continue;
      if (route.method !== method && !(method === "HEAD" && route.method === "GET")) {
        allowed.push(route.method);
        template = route.template;
        continue;
      }
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = decodePathSegment(match[index + 1] ?? "");
      });
      return { kind: "found", route, params };
    }
    return allowed.length ? { kind: "method_not_allowed", template, allowed } : { kind: "not_found" };
  };
}
