import { ASSET_TYPES, normalizeHeader } from "@migrate/domain";

/**
 * The agent's vocabularies beyond libs/domain's enums: database engines, server roles, asset
 * types as source systems spell them, hosting models, hypervisors, and name tokens. Every table
 * is built once at load; lookups are by exact key, so a batch costs no regex compilation.
 */

const ENGINES: ReadonlyArray<readonly [string, string]> = [
  ["sqlserver", "sql_server"],
  ["mssql", "sql_server"],
  ["microsoftsql", "sql_server"],
  ["postgres", "postgres"],
  ["pgsql", "postgres"],
  ["mariadb", "mariadb"],
  ["mysql", "mysql"],
  ["oracle", "oracle"],
  ["mongo", "mongodb"],
  ["db2", "db2"],
  ["sybase", "sybase"],
  ["redis", "redis"],
  ["cassandra", "cassandra"],
  ["informix", "informix"],
];
const ENGINE_TOKENS: ReadonlyMap<string, string> = new Map([
  ["pg", "postgres"],
  ["ora", "oracle"],
  ["sql", "sql_server"],
]);

/** "Microsoft SQL Server 2016", "MSSQL", "PostgreSQL 13" → sql_server, postgres; undefined when unknown. */
export function normalizeDatabaseType(value: string): string | undefined {
  const key = normalizeHeader(value);
  if (!key) return undefined;
  for (const [needle, engine] of ENGINES) if (key.includes(needle)) return engine;
  return ENGINE_TOKENS.get(key);
}

/** Engines with a managed cloud offering: the database rule of the strategy agent. */
export const MAINSTREAM_ENGINES: ReadonlySet<string> = new Set([
  "sql_server",
  "postgres",
  "mysql",
  "mariadb",
  "oracle",
]);

export const SERVER_ROLES = ["web", "app", "db", "cache", "file", "mail", "dc", "batch"] as const;

/** Name tokens (digits stripped) that say a server's role. */
export const ROLE_TOKENS: ReadonlyMap<string, string> = new Map([
  ...tokens("web", ["web", "www", "iis", "nginx", "apache", "httpd", "frontend", "portal", "webserver"]),
  ...tokens("app", [
    "app",
    "apps",
    "api",
    "svc",
    "srvapp",
    "tomcat",
    "jboss",
    "wildfly",
    "weblogic",
    "websphere",
    "was",
    "middleware",
    "application",
    "appserver",
    "backend",
  ]),
  ...tokens("db", [
    "db",
    "dbs",
    "sql",
    "mssql",
    "sqlserver",
    "ora",
    "oracle",
    "pg",
    "pgsql",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "database",
    "rds",
  ]),
  ...tokens("cache", ["cache", "redis", "memcache", "memcached", "varnish"]),
  ...tokens("file", ["file", "files", "fs", "fileserver", "ftp", "sftp", "share", "smb", "nfs"]),
  ...tokens("mail", ["mail", "smtp", "exch", "exchange", "mx", "imap", "postfix"]),
  ...tokens("dc", ["dc", "ad", "adds", "ldap", "domaincontroller", "activedirectory", "dns"]),
  ...tokens("batch", ["batch", "job", "jobs", "etl", "sched", "scheduler", "cron", "worker", "workers"]),
]);
// Longer tokens whose start says the role ("sqlprod01" → sql → db); checked only when no exact token matched.
export const ROLE_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["sql", "db"],
  ["oracle", "db"],
  ["mssql", "db"],
  ["postgres", "db"],
  ["mysql", "db"],
  ["mongo", "db"],
  ["redis", "cache"],
  ["exch", "mail"],
  ["mail", "mail"],
  ["smtp", "mail"],
  ["iis", "web"],
  ["nginx", "web"],
  ["batch", "batch"],
];

/** "Web Server", "Database", "Domain Controller" → web, db, dc; undefined when not a known role. */
export function normalizeServerRole(value: string): string | undefined {
  const whole = normalizeHeader(value);
  const direct = ROLE_TOKENS.get(whole) ?? ROLE_TOKENS.get(whole.replace(SERVER_SUFFIX, ""));
  if (direct) return direct;
  for (const token of nameTokens(value)) {
    const role = ROLE_TOKENS.get(token);
    if (role) return role;
  }
  return undefined;
}

/** Tokens that name network, load-balancing and storage devices. */
export const DEVICE_TOKENS: ReadonlyMap<string, string> = new Map([
  ...tokens("load_balancer", ["lb", "f5", "bigip", "netscaler", "haproxy", "alb", "elb", "nlb", "adc", "loadbalancer"]),
  ...tokens("network", [
    "fw",
    "firewall",
    "sw",
    "switch",
    "rtr",
    "router",
    "asa",
    "fortigate",
    "paloalto",
    "vpn",
    "wlc",
  ]),
  ...tokens("storage", ["san", "nas", "storage", "stor", "netapp", "emc", "isilon", "vnx", "filer"]),
]);

const TYPE_WORDS: ReadonlyArray<readonly [string, string]> = [
  ["loadbalancer", "load_balancer"],
  ["lb", "load_balancer"],
  ["virtualmachine", "virtual_machine"],
  ["vminstance", "virtual_machine"],
  ["vm", "virtual_machine"],
  ["database", "database"],
  ["db", "database"],
  ["container", "container"],
  ["kubernetes", "container"],
  ["storage", "storage"],
  ["san", "storage"],
  ["router", "network"],
  ["switch", "network"],
  ["firewall", "network"],
  ["network", "network"],
  ["virtual", "virtual_machine"],
  ["server", "server"],
  ["physical", "server"],
  ["host", "server"],
  ["application", "application"],
];
const ASSET_TYPE_SET: ReadonlySet<string> = new Set(ASSET_TYPES);

/** "Virtual Machine", "cmdb_ci_linux_server", "cmdb_ci_lb" → the canonical asset type. */
export function normalizeAssetType(value: string): string | undefined {
  const snake = value.trim().toLowerCase().replace(/\s+/g, "_");
  if (ASSET_TYPE_SET.has(snake)) return snake;
  const key = normalizeHeader(value).replace(/^cmdbci/, "");
  for (const [needle, type] of TYPE_WORDS) if (key.includes(needle)) return type;
  return undefined;
}

const HOSTING_WORDS: ReadonlyMap<string, string> = new Map([
  ["physical", "physical"],
  ["baremetal", "physical"],
  ["hardware", "physical"],
  ["virtual", "virtual"],
  ["vm", "virtual"],
  ["virtualmachine", "virtual"],
  ["cloud", "cloud"],
  ["iaas", "cloud"],
  ["ec2", "cloud"],
]);
const TRUE_WORDS = new Set(["true", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0"]);

/**
 * Hosting model from a value and, for yes/no values, from what its column asks
 * ("Is physical: true" is physical, ServiceNow's "virtual: true" is virtual).
 */
export function normalizeHostingModel(value: string, column: string): string | undefined {
  const key = normalizeHeader(value);
  const word = HOSTING_WORDS.get(key);
  if (word) return word;
  const yes = TRUE_WORDS.has(key);
  if (!yes && !FALSE_WORDS.has(key)) return undefined;
  const asks = normalizeHeader(column);
  if (asks.includes("physical")) return yes ? "physical" : "virtual";
  if (asks.includes("virtual")) return yes ? "virtual" : "physical";
  return undefined;
}

const PLATFORMS: ReadonlyArray<readonly [string, string]> = [
  ["vmware", "vmware"],
  ["vcenter", "vmware"],
  ["esx", "vmware"],
  ["vsphere", "vmware"],
  ["hyperv", "hyper-v"],
  ["scvmm", "hyper-v"],
  ["kvm", "kvm"],
  ["xen", "xen"],
  ["nutanix", "nutanix"],
  ["ahv", "nutanix"],
  ["openstack", "openstack"],
  ["aws", "aws"],
  ["ec2", "aws"],
  ["azure", "azure"],
  ["gcp", "gcp"],
  ["google", "gcp"],
];

/** "VMware vCenter", "Hyper-V" → vmware, hyper-v; undefined when not a known platform. */
export function normalizeVirtualizationPlatform(value: string): string | undefined {
  const key = normalizeHeader(value);
  for (const [needle, platform] of PLATFORMS) if (key.includes(needle)) return platform;
  return undefined;
}

const OS_FAMILY_WORDS: ReadonlyArray<readonly [string, string]> = [
  ["windows", "windows"],
  ["win", "windows"],
  ["linux", "linux"],
  ["unix", "unix"],
  ["aix", "unix"],
  ["solaris", "unix"],
  ["hpux", "unix"],
  ["other", "other"],
];

export function normalizeOsFamily(value: string): string | undefined {
  const key = normalizeHeader(value);
  for (const [needle, family] of OS_FAMILY_WORDS) if (key.startsWith(needle)) return family;
  return undefined;
}

const SPLIT = /[^a-z0-9]+/;
const SERVER_SUFFIX = /server$/;
const LEADING_DIGIT = /^\d/;
// Starts only where a digit run starts (the lookbehind): unanchored, `\d+[a-z]?$` retried
// every position of a long run of digits followed by two letters, quadratic in the run.
const TRAILING_DIGITS = /(?<!\d)\d+[a-z]?$/;

/** "BILL-DB-02", "sqlprod01.corp.local" → ["bill", "db"], ["sqlprod", "corp", "local"]: digits stripped. */
export function nameTokens(name: string): string[] {
  const out: string[] = [];
  for (const part of name.toLowerCase().split(SPLIT)) {
    const token = part.replace(TRAILING_DIGITS, "");
    if (token && !LEADING_DIGIT.test(token)) out.push(token);
  }
  return out;
}

function tokens(value: string, words: readonly string[]): Array<[string, string]> {
  return words.map((word) => [word, value]);
}
