import { externalIdKey, hostnameKey, vmUuidKey } from "./identity-keys.ts";

export interface IdentityKeys {
  row: number;
  externalId: string;
  hostname: string;
  vmUuid: string;
}

export interface DuplicateGroup {
  keepRow: number;
  duplicateRows: number[];
  /** external_id, hostname or vm_uuid: the first key that joined the group. */
  matchedOn: string;
}

const KEYS = [
  { name: "external_id", read: (k: IdentityKeys) => externalIdKey(k.externalId) },
  { name: "hostname", read: (k: IdentityKeys) => hostnameKey(k.hostname) },
  { name: "vm_uuid", read: (k: IdentityKeys) => vmUuidKey(k.vmUuid) },
] as const;

/**
 * Groups the records of a flow that describe the same asset: union-find over equal normalised
 * external ids, host names (lowercase, domain stripped) and VM UUIDs, so A=B by id and B=C by
 * host name put A, B and C together. Linear in the number of records. The lowest row is kept.
 */
export function findDuplicates(keys: readonly IdentityKeys[]): DuplicateGroup[] {
  const parent = keys.map((_, index) => index);
  // Per root: index into KEYS of the earliest key that joined its group.
  const joinedBy = new Array<number>(keys.length).fill(KEYS.length);
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root] as number;
    // Path compression keeps later finds near constant time.
    let node = index;
    while (parent[node] !== root) {
      const next = parent[node] as number;
      parent[node] = root;
      node = next;
    }
    return root;
  };

  KEYS.forEach((key, order) => {
    const firstWith = new Map<string, number>();
    keys.forEach((record, index) => {
      const value = key.read(record);
      if (!value) return;
      const first = firstWith.get(value);
      if (first === undefined) {
        firstWith.set(value, index);
        return;
      }
      const a = find(first);
      const b = find(index);
      if (a === b) return;
      const [root, child] = a < b ? [a, b] : [b, a];
      parent[child] = root;
      joinedBy[root] = Math.min(joinedBy[root] as number, joinedBy[child] as number, order);
    });
  });

  const members = new Map<number, number[]>();
  keys.forEach((_, index) => {
    const root = find(index);
    const list = members.get(root);
    if (list) list.push(index);
    else members.set(root, [index]);
  });
  const groups: DuplicateGroup[] = [];
  for (const [root, indices] of members) {
    if (indices.length < 2) continue;
    const rows = indices.map((index) => keys[index]?.row ?? 0).sort((a, b) => a - b);
    const [keepRow = 0, ...duplicateRows] = rows;
    groups.push({ keepRow, duplicateRows, matchedOn: KEYS[joinedBy[root] as number]?.name ?? "external_id" });
  }
  return groups.sort((a, b) => a.keepRow - b.keepRow);
}
