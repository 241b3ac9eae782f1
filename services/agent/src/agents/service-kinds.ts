/** Well-known ports and the service kind a connection to them means (docs/agents.md has the table). */
export const PORT_SERVICE_KINDS: ReadonlyMap<number, string> = new Map([
  [1433, "sql_server"],
  [1521, "oracle"],
  [3306, "mysql"],
  [5432, "postgres"],
  [27017, "mongodb"],
  [6379, "redis"],
  [443, "https"],
  [80, "http"],
  [8080, "http_alt"],
  [8443, "http_alt"],
  [22, "ssh"],
  [3389, "rdp"],
  [389, "ldap"],
  [636, "ldap"],
  [445, "smb"],
  [25, "smtp"],
  [587, "smtp"],
  [53, "dns"],
  [5672, "amqp"],
  [9092, "kafka"],
]);

export function serviceKind(port: number): string {
  return PORT_SERVICE_KINDS.get(port) ?? "unknown";
}
