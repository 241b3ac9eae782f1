import { sql } from "@migrate/db";

/** Who is asking: every query is narrowed to this. */
export interface TenantScope {
  clientAccountId: string;
  /** Empty: the caller works across the client account's engagements. */
  engagementId: string;
}

/**
 * The rows of `alias` a caller may see: its client account's, and with an engagement only that
 * engagement's patterns plus the client account's engagement-less ones (another engagement's stay hidden).
 */
export function scopeSql(scope: TenantScope, alias: string) {
  const account = sql`${sql.ref(`${alias}.client_account_id`)} = ${scope.clientAccountId}`;
  if (!scope.engagementId) return account;
  const engagement = sql.ref(`${alias}.engagement_id`);
  return sql`${account} and (${engagement} is null or ${engagement} = ${scope.engagementId})`;
}
