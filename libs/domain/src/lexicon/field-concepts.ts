/**
 * Each canonical field described by concepts rather than spellings: which header concepts say it
 * (alternatives, each a set of concepts that must all appear, with how strongly it says it),
 * which concepts it may carry without harm, which speak against it, the quantity and kind of
 * unit it holds, its aggregation, and the kinds of values that fit it. The mapper scores every
 * column against these descriptions; concept words live in `HEADER_WORDS`.
 */
export type Quantity =
  | "identifier"
  | "name"
  | "address"
  | "enum"
  | "text"
  | "count"
  | "size"
  | "percent"
  | "rate"
  | "version"
  | "person"
  | "map";

export interface FieldConcepts {
  field: string;
  /** "a+b:w": the header says a and b, which means this field with strength w (0..1). */
  says: readonly string[];
  /** Concepts that may appear without speaking against the field. */
  allows?: readonly string[];
  /** Concepts that speak against the field. */
  not?: readonly string[];
  quantity: Quantity;
  aggregation?: "avg" | "max";
  /** Value kinds (from the value profiler) that fit the field, best first. */
  values: readonly string[];
  /** Several columns may feed it (numbered disks, address lists, tags). */
  multi?: boolean;
}

const NUMERIC_NOISE = ["free", "time", "money", "speed"];

export const FIELD_CONCEPTS: readonly FieldConcepts[] = [
  {
    field: "external_id",
    says: ["id:0.85", "asset+id:0.95", "host+id:0.9", "inventory:0.8", "asset+number:0.75", "number:0.4"],
    allows: ["asset", "host", "number", "name", "configuration"],
    not: ["serial", "uuid", "ip", "mac", "cost_center"],
    quantity: "identifier",
    values: ["id", "integer", "uuid", "hostname"],
  },
  {
    field: "asset_name",
    says: ["asset+name:0.95", "name:0.8", "asset:0.75"],
    allows: ["asset", "name", "virtual"],
    not: ["type", "id", "count"],
    quantity: "name",
    values: ["hostname", "fqdn", "text"],
  },
  {
    field: "hostname",
    says: ["host+name:1", "host:0.85"],
    allows: ["asset", "name", "domain"],
    not: ["hypervisor", "id", "count"],
    quantity: "name",
    values: ["hostname", "fqdn"],
  },
  {
    field: "fqdn",
    says: ["fqdn:1", "domain+name:0.55", "domain:0.45", "dns:0.6"],
    allows: ["asset", "host", "name"],
    quantity: "name",
    values: ["fqdn"],
  },
  {
    field: "ip_addresses",
    says: ["ip:1", "ip+address:1", "address:0.55"],
    allows: ["asset", "address", "host", "number", "nic"],
    quantity: "address",
    values: ["ip"],
    multi: true,
  },
  {
    field: "mac_address",
    says: ["mac:1", "mac+address:1"],
    allows: ["asset", "address", "network", "nic"],
    quantity: "address",
    values: ["mac"],
  },
  {
    field: "serial_number",
    says: ["serial:1", "serial+number:1"],
    allows: ["asset", "host", "number", "id"],
    quantity: "identifier",
    values: ["serial", "id"],
  },
  {
    field: "vm_uuid",
    says: ["uuid:1", "asset+uuid:1", "asset+id:0.45", "id:0.3"],
    allows: ["asset", "id", "number"],
    quantity: "identifier",
    values: ["uuid"],
  },
  {
    field: "asset_type",
    says: ["asset+type:0.8", "type:0.6"],
    allows: ["asset", "name"],
    not: ["os", "cpu", "database", "disk", "memory"],
    quantity: "enum",
    values: ["asset_type", "text"],
  },
  {
    field: "server_role",
    says: ["role:0.9", "asset+role:0.95"],
    allows: ["asset", "type", "name"],
    quantity: "enum",
    values: ["role", "text"],
  },
  {
    field: "environment",
    says: ["environment:1"],
    allows: ["asset", "type", "name"],
    quantity: "enum",
    values: ["env"],
  },
  {
    field: "power_state",
    says: ["power:0.95", "power+state:1", "state:0.55", "asset+state:0.6"],
    allows: ["asset", "runtime"],
    not: ["service", "database", "os", "application"],
    quantity: "enum",
    values: ["power", "bool"],
  },
  {
    field: "virtualization_platform",
    says: ["hypervisor+platform:1", "hypervisor:0.85", "platform:0.45", "hypervisor+type:0.95"],
    allows: ["asset", "type"],
    not: ["name", "host", "version", "os"],
    quantity: "enum",
    values: ["hypervisor"],
  },
  {
    field: "hosting_model",
    says: ["hosting:0.95", "virtual:0.85", "physical:0.85", "virtual+physical:1", "asset+type:0.55", "type:0.45"],
    allows: ["asset", "type", "name"],
    not: ["os", "database", "cpu", "disk", "memory"],
    quantity: "enum",
    values: ["virt", "bool"],
  },
  {
    field: "cpu_cores",
    says: ["core:0.9", "cpu:0.8", "cpu+core:0.95", "cpu+count:0.9", "core+count:1", "asset+cpu:0.85"],
    allows: ["asset", "count", "size", "number", "virtual", "logical"],
    not: ["socket", "utilization", "physical", ...NUMERIC_NOISE],
    quantity: "count",
    values: ["cores"],
  },
  {
    field: "cpu_sockets",
    says: ["socket:1", "socket+count:1", "cpu+count:0.6", "cpu:0.45"],
    allows: ["asset", "count", "number", "physical", "size"],
    not: ["core", "utilization", "virtual", ...NUMERIC_NOISE],
    quantity: "count",
    values: ["sockets"],
  },
  {
    field: "memory_gb",
    says: ["memory:0.9", "memory+size:1"],
    allows: ["asset", "size", "physical", "provisioned"],
    not: ["utilization", "used", "count", ...NUMERIC_NOISE],
    quantity: "size",
    values: ["memory_size"],
  },
  {
    field: "storage_gb",
    says: [
      "disk:0.75",
      "storage:0.8",
      "disk+size:1",
      "storage+size:1",
      "disk+storage:0.95",
      "disk+storage+size:1",
      "provisioned:0.6",
      "disk+provisioned:1",
      "storage+provisioned:1",
    ],
    allows: ["asset", "size", "number", "provisioned"],
    not: ["used", "count", "utilization", "throughput", "iops", "network", ...NUMERIC_NOISE],
    quantity: "size",
    values: ["storage_size"],
    multi: true,
  },
  {
    field: "storage_used_gb",
    says: ["disk+used:1", "storage+used:1", "disk+storage+used:1", "used:0.5"],
    allows: ["asset", "size"],
    not: ["count", "utilization", "memory", ...NUMERIC_NOISE],
    quantity: "size",
    values: ["storage_size"],
  },
  {
    field: "disk_count",
    says: ["disk+count:1", "disk:0.55"],
    allows: ["asset", "number"],
    not: ["size", "storage", "used", "utilization", "iops", ...NUMERIC_NOISE],
    quantity: "count",
    values: ["small_count"],
  },
  {
    field: "operating_system",
    says: ["os:0.95", "os+name:1", "kernel:0.5", "platform:0.5"],
    allows: ["asset", "name", "full", "kernel", "platform"],
    not: ["version", "family", "architecture", "type", "hypervisor"],
    quantity: "text",
    values: ["os"],
  },
  {
    field: "os_version",
    says: ["os+version:1", "version:0.6", "os+patch:0.9", "patch:0.5", "kernel+version:0.8", "platform+version:0.8"],
    allows: ["asset", "number", "name", "kernel", "platform"],
    not: ["database", "engine", "hypervisor", "service", "manufacturer", "edition"],
    quantity: "version",
    values: ["version"],
  },
  {
    field: "os_family",
    says: ["os+family:1", "os+type:0.9", "family:0.6", "os:0.5", "kernel:0.5"],
    allows: ["asset", "platform", "name", "kernel"],
    quantity: "enum",
    values: ["os_family"],
  },
  {
    field: "os_architecture",
    says: ["architecture:0.9", "os+architecture:1", "cpu+architecture:0.9"],
    allows: ["asset", "cpu", "os", "type"],
    quantity: "enum",
    values: ["arch"],
  },
  {
    field: "database_type",
    says: ["database+type:1", "database+engine:1", "engine:0.55", "database:0.55"],
    allows: ["asset", "name"],
    not: ["version", "size", "edition", "count", "name"],
    quantity: "enum",
    values: ["db"],
  },
  {
    field: "database_version",
    says: ["database+version:1", "engine+version:0.95", "database+engine+version:1", "database+patch:0.7"],
    allows: ["asset", "number"],
    not: ["os"],
    quantity: "version",
    values: ["version"],
  },
  { field: "technology_stack", says: ["software:0.9"], allows: ["asset"], quantity: "text", values: ["text"] },
  {
    field: "cpu_utilization_avg",
    says: ["cpu+utilization:1", "utilization:0.45"],
    allows: ["asset", "core", "used"],
    not: ["memory", "disk", "storage", "network", ...NUMERIC_NOISE],
    quantity: "percent",
    aggregation: "avg",
    values: ["percent"],
  },
  {
    field: "cpu_utilization_max",
    says: ["cpu+utilization:1", "utilization:0.45"],
    allows: ["asset", "core", "used"],
    not: ["memory", "disk", "storage", "network", ...NUMERIC_NOISE],
    quantity: "percent",
    aggregation: "max",
    values: ["percent"],
  },
  {
    field: "memory_utilization_avg",
    says: ["memory+utilization:1"],
    allows: ["asset", "used"],
    not: ["cpu", "disk", "storage", ...NUMERIC_NOISE],
    quantity: "percent",
    aggregation: "avg",
    values: ["percent"],
  },
  {
    field: "memory_utilization_max",
    says: ["memory+utilization:1"],
    allows: ["asset", "used"],
    not: ["cpu", "disk", "storage", ...NUMERIC_NOISE],
    quantity: "percent",
    aggregation: "max",
    values: ["percent"],
  },
  {
    field: "disk_iops",
    says: ["iops:1", "disk+iops:1"],
    allows: ["asset", "disk", "storage", "throughput", "utilization"],
    not: ["network", ...NUMERIC_NOISE],
    quantity: "rate",
    values: ["number"],
  },
  {
    field: "network_throughput_mbps",
    says: ["network+throughput:1", "network:0.45", "throughput:0.6"],
    allows: ["asset", "utilization"],
    not: ["disk", "storage", "iops", "count", "address", "ip", "mac", ...NUMERIC_NOISE],
    quantity: "rate",
    values: ["number"],
  },
  {
    field: "datacenter",
    says: ["datacenter:1"],
    allows: ["asset", "name", "location"],
    quantity: "text",
    values: ["text"],
  },
  { field: "cluster", says: ["cluster:1"], allows: ["asset", "name"], quantity: "text", values: ["text"] },
  {
    field: "location",
    says: ["location:1"],
    allows: ["asset", "name"],
    not: ["datacenter"],
    quantity: "text",
    values: ["text"],
  },
  {
    field: "application_name",
    says: ["application:1", "application+name:1"],
    allows: ["asset", "name", "service"],
    quantity: "text",
    values: ["text"],
  },
  {
    field: "business_owner",
    says: ["owner:0.9", "business+owner:1", "contact:0.5"],
    allows: ["asset", "application", "name", "person"],
    not: ["technical"],
    quantity: "person",
    values: ["person", "email", "text"],
  },
  {
    field: "technical_owner",
    says: ["technical+owner:1", "owner:0.75", "technical:0.55", "contact:0.85", "technical+contact:1"],
    allows: ["asset", "name", "person", "service"],
    not: ["business"],
    quantity: "person",
    values: ["person", "email", "text"],
  },
  {
    field: "business_unit",
    says: ["unit:1", "business+unit:1"],
    allows: ["asset", "name", "business"],
    quantity: "text",
    values: ["text"],
  },
  {
    field: "criticality",
    says: ["criticality:1"],
    allows: ["asset", "business", "level"],
    quantity: "enum",
    values: ["crit"],
  },
  {
    field: "cost_center",
    says: ["cost_center:1"],
    allows: ["asset", "number", "id"],
    quantity: "identifier",
    values: ["id", "text"],
  },
  { field: "tags", says: ["tags:1"], allows: ["asset"], quantity: "map", values: ["tags", "text"], multi: true },
];

/** Concepts that make a column a custom attribute unless a field allows them. */
export const CUSTOM_CONCEPTS: readonly string[] = [
  "note",
  "time",
  "money",
  "manufacturer",
  "service",
  "speed",
  "edition",
  "row",
  "ratio",
  "nic",
  "queue",
];
