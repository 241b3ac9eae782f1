import type { FieldDescription } from "./field-descriptions.ts";
import type { ValueKind, ValueProfile } from "./value-profile.ts";

/** How well a column's values fit a field: -1 (they contradict it) .. 1 (they are its values). */
export interface ValueFit {
  fit: number;
  /** The values alone identify the field (addresses, UUIDs, OS names, enum vocabularies). */
  distinctive: boolean;
  /** What the values showed, for the reason. */
  why: string;
}

const NONE: ValueFit = { fit: 0, distinctive: false, why: "" };
const VOCABULARY_NAMES: Partial<Record<ValueKind, string>> = {
  ip: "IP addresses",
  mac: "MAC addresses",
  uuid: "UUIDs",
  fqdn: "FQDNs",
  os: "operating system names",
  env: "environment names",
  power: "power states",
  crit: "criticality levels",
  virt: "virtual/physical",
  bool: "yes/no values",
  hypervisor: "hypervisor names",
  db: "database engines",
  arch: "CPU architectures",
  os_family: "OS families",
  role: "server roles",
  asset_type: "asset types",
  tags: "key:value tags",
  version: "version numbers",
  person: "person names",
  email: "email addresses",
};

const share = (p: ValueProfile, kind: ValueKind) => p.share[kind] ?? 0;
const scale = (s: number) => Math.max(-1, Math.min(1, 2 * s - 1));
const pct = (s: number) => `${Math.round(s * 100)} %`;

function vocabulary(p: ValueProfile, kinds: ValueKind[], distinctive = true): ValueFit {
  let best = 0;
  let which: ValueKind = kinds[0] as ValueKind;
  for (const kind of kinds) {
    if (share(p, kind) > best) {
      best = share(p, kind);
      which = kind;
    }
  }
  return {
    fit: scale(best),
    distinctive: distinctive && best >= 0.8,
    why: `${pct(best)} ${VOCABULARY_NAMES[which] ?? which}`,
  };
}

function numeric(p: ValueProfile, test: (n: NonNullable<ValueProfile["numbers"]>) => boolean, what: string): ValueFit {
  const s = share(p, "number");
  const n = p.numbers;
  if (s < 0.7 || !n) return { fit: -1, distinctive: false, why: `${pct(s)} numbers` };
  const ok = test(n);
  return {
    fit: ok ? 1 : -0.6,
    distinctive: false,
    why: `numbers ${fmt(n.min)}–${fmt(n.max)}${ok ? "" : `, not ${what}`}`,
  };
}

function fmt(n: number): string {
  return Math.abs(n) >= 1e6 ? n.toExponential(1) : String(Math.round(n * 100) / 100);
}

/**
 * Scores the values of a column against one field. No values: no evidence either way.
 * `said`: the concepts of the header saying that field (a patch level reads small numbers).
 */
export function valueFit(field: FieldDescription, p: ValueProfile, said: readonly string[] = []): ValueFit {
  if (p.count === 0) return NONE;
  const unique = p.distinct >= 0.9 || p.count < 5;
  switch (field.values[0]) {
    case "os": {
      // "Windows", "Linux": a family, not an operating system's name.
      const v = vocabulary(p, ["os"]);
      return share(p, "os_family") >= 0.8
        ? { fit: -0.5, distinctive: false, why: `${pct(share(p, "os_family"))} OS families` }
        : v;
    }
    case "power": {
      // Yes/no says "powered on?" only in words: digits 1/0/2 are status codes.
      const words = share(p, "number") < 0.5;
      const v = vocabulary(p, words ? ["power", "bool"] : ["power"], share(p, "power") >= 0.8);
      // Up/Down with Warning between them: a monitor's device state, the in-between values its
      // own. Power words must carry most rows, so "OK/Warning/Down" stays a health column.
      const between = share(p, "health");
      const power = share(p, "power");
      if (between > 0 && power >= 0.6 && power + between >= 0.9)
        return {
          fit: scale(power + between),
          distinctive: power + between >= 0.9,
          why: `${pct(power)} power states, ${pct(between)} in-between states (warning, maintenance)`,
        };
      return v;
    }
    case "uuid":
      return { ...vocabulary(p, ["uuid"]), distinctive: share(p, "uuid") >= 0.8 };
    case "tags": {
      // Tags are key:value pairs or plain words; numbers and addresses are not tags.
      const v = vocabulary(p, ["tags"]);
      return share(p, "tags") >= 0.5 || share(p, "number") > 0.5
        ? v
        : { fit: share(p, "text") > 0.5 ? 0.3 : 0, distinctive: false, why: "words" };
    }
    case "ip":
    case "mac":
    case "env":
    case "crit":
    case "hypervisor":
    case "db":
    case "arch":
    case "os_family":
      return vocabulary(p, field.values.filter((k) => k !== "text") as ValueKind[]);
    case "virt":
      return vocabulary(p, ["virt", "bool"], share(p, "virt") >= 0.8);
    case "role":
    case "asset_type": {
      const v = vocabulary(p, [field.values[0]], true);
      return share(p, "number") > 0.5 ? { ...v, fit: -1 } : v;
    }
    case "fqdn": {
      const s = share(p, "fqdn");
      return {
        fit: unique ? scale(s) : Math.min(scale(s), -0.3),
        distinctive: s >= 0.8 && unique,
        why: `${pct(s)} FQDNs${unique ? "" : ", repeated"}`,
      };
    }
    case "hostname":
    case "id":
    case "serial": {
      const named =
        field.values[0] === "hostname"
          ? share(p, "hostname") +
            share(p, "fqdn") * (field.field === "hostname" ? 0.7 : 0.9) +
            (field.field === "asset_name" ? share(p, "text") * 0.6 : 0)
          : Math.max(share(p, "id"), share(p, "uuid"), share(p, "hostname") * 0.8);
      const s = Math.min(1, named);
      if (share(p, "ip") > 0.5 || share(p, "mac") > 0.5 || share(p, "date") > 0.5)
        return { fit: -1, distinctive: false, why: "values are addresses or dates" };
      if (field.field === "external_id" && share(p, "uuid") > 0.8)
        return { fit: -0.5, distinctive: false, why: "UUIDs" };
      if (p.distinct < 0.2 && p.count >= 5) return { fit: -1, distinctive: false, why: "a few values repeated" };
      return {
        fit: unique ? scale(s) : Math.min(scale(s), -0.5),
        distinctive: false,
        why: unique ? `${pct(s)} name-like, unique` : `${pct(s)} name-like, repeated`,
      };
    }
    case "cores":
      return numeric(
        p,
        (n) => n.min >= 1 && n.max <= 1024 && n.median <= 128 && share(p, "fraction") === 0,
        "core counts",
      );
    case "sockets":
      return numeric(p, (n) => n.min >= 1 && n.max <= 16 && share(p, "fraction") === 0, "socket counts");
    case "small_count":
      return numeric(p, (n) => n.min >= 0 && n.max <= 128 && share(p, "integer") >= 0.9, "counts");
    case "memory_size":
      return numeric(p, (n) => n.min >= 0 && n.max > 0, "sizes");
    case "storage_size":
      // 1 to 16 with no unit anywhere is a count of disks, not their size.
      return numeric(
        p,
        (n) => n.min >= 0 && n.max > 0 && (n.max > 16 || p.cellUnit !== undefined || (p.share.integer ?? 0) < 0.9),
        "sizes",
      );
    case "percent":
      return numeric(p, (n) => n.min >= 0 && n.max <= 100.5, "percentages");
    case "number":
      return numeric(p, (n) => n.min >= 0, "counts");
    case "version": {
      const s = share(p, "version");
      const n = p.numbers;
      // A service pack or patch level is written as its number: SP 0, 1, 2.
      if (said.includes("patch") && n && share(p, "integer") >= 0.9 && n.min >= 0 && n.max <= 9)
        return { fit: 0.8, distinctive: false, why: `patch levels ${n.min}–${n.max}` };
      const bigNumbers = n && share(p, "number") > 0.5 && n.max > 1000;
      return {
        fit: bigNumbers ? -1 : scale(Math.max(s, share(p, "integer") > 0.8 && n && n.max < 100 ? 0.6 : 0)),
        distinctive: false,
        why: `${pct(s)} version numbers`,
      };
    }
    case "person": {
      const s = Math.max(share(p, "person"), share(p, "email"));
      return {
        fit: share(p, "number") > 0.5 ? -1 : s >= 0.5 ? 1 : 0,
        distinctive: false,
        why: `${pct(s)} person names or emails`,
      };
    }
    default: {
      // Free text (locations, applications, clusters): words, not numbers nor addresses.
      const bad = Math.max(share(p, "number"), share(p, "ip"), share(p, "uuid"), share(p, "mac"), share(p, "date"));
      if (bad > 0.5) return { fit: -1, distinctive: false, why: "values are not words" };
      // Words of another field's vocabulary ("Prod", "Dev" in a "Zone" column) say the column is that field.
      const foreign = (["env", "power", "crit", "os", "virt", "hypervisor"] as const).find((k) => share(p, k) >= 0.8);
      if (foreign)
        return { fit: -0.5, distinctive: false, why: `${pct(share(p, foreign))} ${VOCABULARY_NAMES[foreign]}` };
      // One application, site or cluster per asset: lists of several ("agent,ntp") are something else.
      if (share(p, "list") > 0.5)
        return { fit: -0.3, distinctive: false, why: `${pct(share(p, "list"))} lists of several values` };
      return { fit: share(p, "text") > 0.5 ? 0.5 : 0, distinctive: false, why: "" };
    }
  }
}
