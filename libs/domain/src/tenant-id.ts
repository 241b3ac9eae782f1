/**
 * What a client account or engagement id may look like, wherever one arrives (a user's token, a
 * mesh token, an event): short and plain, so it is safe in subjects, keys, logs and queries.
 */
export const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
