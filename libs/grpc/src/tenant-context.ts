/**
 * Who is calling, carried on every internal call; every query is scoped by `clientAccountId`.
 * It crosses the mesh only inside a signed mesh token (see mesh-credentials.ts).
 */
export interface TenantContext {
  clientAccountId: string;
  engagementId: string;
  userId: string;
  requestId: string;
  roles: string[];
}
