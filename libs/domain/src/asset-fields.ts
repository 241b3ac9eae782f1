/**
 * The canonical asset schema (DESIGN.md section 3): every import is mapped onto these fields.
 * `synonyms` are normalised header spellings seen in real exports (see `normalizeHeader`); the
 * global dictionary is these lists, shipped with the code and separate from tenant patterns.
 */
export type FieldType = "string" | "integer" | "number" | "list" | "enum" | "map" | "percent" | "size_gb";

export interface AssetField {
  name: string;
  group: "identity" | "classification" | "compute" | "software" | "utilization" | "location" | "business";
  type: FieldType;
  description: string;
  enumValues?: readonly string[];
  /** Header spellings that mean this field, across the formats we import. */
  synonyms: readonly string[];
}

export const ASSET_TYPES = [
  "server",
  "virtual_machine",
  "database",
  "application",
  "network",
  "load_balancer",
  "storage",
  "container",
  "other",
] as const;
export const ENVIRONMENTS = ["production", "staging", "test", "development", "dr"] as const;
export const CRITICALITIES = ["low", "medium", "high", "critical"] as const;
export const POWER_STATES = ["on", "off", "suspended", "unknown"] as const;
export const OS_FAMILIES = ["windows", "linux", "unix", "other"] as const;

const f = (
  name: string,
  group: AssetField["group"],
  type: FieldType,
  description: string,
  synonyms: string[],
  enumValues?: readonly string[],
): AssetField => ({ name, group, type, description, synonyms, enumValues });

export const ASSET_FIELDS: readonly AssetField[] = [
  f("external_id", "identity", "string", "The source system's own id", [
    "externalid", "id", "assetid", "assettag", "ciid", "sysid", "machineid", "serverid", "vmid", "inventoryid", "configurationitemid",
  ]),
  f("asset_name", "identity", "string", "Display name of the asset", [
    "name", "assetname", "servername", "vm", "vmname", "machinename", "vmwarevmname", "displayname", "computername", "ciname", "server",
  ]),
  f("hostname", "identity", "string", "Host name (short)", ["hostname", "host", "dnsname", "hostnamefqdn", "nodename"]),
  f("fqdn", "identity", "string", "Fully qualified domain name", ["fqdn", "fullyqualifieddomainname", "dnsfqdn", "osdomain"]),
  f("ip_addresses", "identity", "list", "IPv4/IPv6 addresses", [
    "ipaddress", "ipaddresses", "ip", "ips", "primaryipaddress", "ipaddresslistsemicolondelimited", "ipv4address", "ipv4", "privateip", "mgmtip",
  ]),
  f("mac_address", "identity", "string", "Primary MAC address", ["macaddress", "mac", "primarymacaddress", "macaddresses"]),
  f("serial_number", "identity", "string", "Hardware serial number", ["serialnumber", "serial", "serialno", "smbiosid", "biosserial"]),
  f("vm_uuid", "identity", "string", "Hypervisor VM UUID", ["vmuuid", "uuid", "biosuuid", "vmwaremorefid", "morefid", "instanceuuid", "vmwareuuid"]),
  f("asset_type", "classification", "enum", "Kind of asset", ["assettype", "type", "servertype", "citype", "class", "sysclassname", "machinetypelabel", "category"], ASSET_TYPES),
  f("server_role", "classification", "string", "Role (web, app, db...)", ["serverrole", "role", "function", "usedfor", "purpose", "tier"]),
  f("environment", "classification", "enum", "Lifecycle environment", ["environment", "env", "stage", "lifecycle", "environmenttype"], ENVIRONMENTS),
  f("power_state", "classification", "enum", "Power state", ["powerstate", "power", "state", "status", "machinestatus", "operationalstatus", "vmstate"], POWER_STATES),
  f("virtualization_platform", "classification", "string", "Hypervisor or cloud", ["virtualizationplatform", "hypervisor", "platform", "virtualization", "source", "hostingplatform"]),
  f("hosting_model", "classification", "string", "Physical, virtual or cloud", ["hostingmodel", "isphysical", "physicalorvirtual", "virtual", "hostingtype"]),
  f("cpu_cores", "compute", "integer", "Logical CPU cores (vCPU)", [
    "cpucores", "cores", "cpu", "cpus", "vcpu", "vcpus", "numcpu", "cpucount", "cpucorecount", "cpunumberoflogicalcores", "numberofcores",
    "allocatedprocessorcorecount", "processors", "logicalprocessors", "cpunumberofcores",
  ]),
  f("cpu_sockets", "compute", "integer", "CPU sockets", ["cpusockets", "sockets", "cpunumberofprocessors", "numberofprocessors", "socketcount"]),
  f("memory_gb", "compute", "size_gb", "Memory in GB", [
    "memorygb", "memory", "ram", "memoryinmb", "rammb", "ramgb", "memorymb", "memorygib", "ramtotalsizeinmb", "totalmemory", "memorysize",
    "memorycapacity", "memorymib",
  ]),
  f("storage_gb", "compute", "size_gb", "Provisioned storage in GB", [
    "storagegb", "storage", "disksize", "disk", "diskspace", "provisionedmib", "provisionedmb", "totaldiskallocatedgib", "totalstorage",
    "disksizegb", "storageallocatedgb", "totaldisksize", "disk1sizeingb", "storageinuse",
  ]),
  f("storage_used_gb", "compute", "size_gb", "Used storage in GB", ["storageusedgb", "inusemib", "inusemb", "totaldiskusedgib", "diskused", "usedstorage", "storageinuseingb"]),
  f("disk_count", "compute", "integer", "Number of disks", ["diskcount", "disks", "numberofdisks", "numdisks"]),
  f("operating_system", "software", "string", "Operating system name", [
    "operatingsystem", "os", "osname", "osaccordingtotheconfigurationfile", "osaccordingtothevmwaretools", "guestos", "platformos",
  ]),
  f("os_version", "software", "string", "Operating system version", ["osversion", "version", "osrelease", "servicepack"]),
  f("os_family", "software", "enum", "Operating system family", ["osfamily", "ostype", "osplatform", "platformtype"], OS_FAMILIES),
  f("os_architecture", "software", "string", "CPU architecture", ["osarchitecture", "architecture", "arch", "osbits"]),
  f("database_type", "software", "string", "Database engine", ["databasetype", "dbtype", "dbengine", "databaseengine", "dbms"]),
  f("database_version", "software", "string", "Database version", ["databaseversion", "dbversion", "engineversion"]),
  f("technology_stack", "software", "string", "Middleware, runtimes, frameworks", ["technologystack", "techstack", "middleware", "software", "installedsoftware", "stack"]),
  f("cpu_utilization_avg", "utilization", "percent", "Average CPU utilisation %", [
    "cpuutilizationavg", "cpuutilizationpercentage", "cpuutil", "cpuusagepctavg", "avgcpu", "cpuavg", "cpuusage", "cpuutilization", "averagecpu",
  ]),
  f("cpu_utilization_max", "utilization", "percent", "Peak CPU utilisation %", ["cpuutilizationmax", "cpuusagepctmax", "maxcpu", "cpumax", "peakcpu", "cpupeak"]),
  f("memory_utilization_avg", "utilization", "percent", "Average memory utilisation %", [
    "memoryutilizationavg", "memoryutilizationpercentage", "memutil", "avgmemory", "memoryavg", "memoryusage", "ramutilization",
  ]),
  f("memory_utilization_max", "utilization", "percent", "Peak memory utilisation %", ["memoryutilizationmax", "maxmemory", "memorymax", "peakmemory"]),
  f("disk_iops", "utilization", "number", "Disk IOPS", ["diskiops", "iops", "diskreadopspersecondavg", "diskopspersecond"]),
  f("network_throughput_mbps", "utilization", "number", "Network throughput Mbps", ["networkthroughputmbps", "networkthroughput", "networkinthroughput", "bandwidth"]),
  f("datacenter", "location", "string", "Data centre", ["datacenter", "datacentre", "dc", "site", "hostinglocation"]),
  f("cluster", "location", "string", "Cluster", ["cluster", "clustername", "vmcluster"]),
  f("location", "location", "string", "Location / region", ["location", "region", "city", "country", "building"]),
  f("application_name", "business", "string", "Application the asset belongs to", [
    "applicationname", "application", "applications", "app", "appname", "service", "businessservice", "businessapplication", "system", "uapplication",
  ]),
  f("business_owner", "business", "string", "Business owner", ["businessowner", "owner", "ownedby", "owneremail", "appowner", "accountable"]),
  f("technical_owner", "business", "string", "Technical owner", ["technicalowner", "techowner", "managedby", "assignedto", "supportgroup", "admin", "sysadmin"]),
  f("business_unit", "business", "string", "Business unit", ["businessunit", "bu", "department", "division", "company", "lineofbusiness"]),
  f("criticality", "business", "enum", "Business criticality", ["criticality", "businesscriticality", "priority", "tierlevel", "importance", "sla"], CRITICALITIES),
  f("cost_center", "business", "string", "Cost centre", ["costcenter", "costcentre", "cc", "chargecode", "billingcode"]),
  f("tags", "business", "map", "Key/value tags", ["tags", "labels", "categories", "annotation", "notes"]),
];

export const ASSET_FIELD_NAMES: readonly string[] = ASSET_FIELDS.map((field) => field.name);
const byName = new Map(ASSET_FIELDS.map((field) => [field.name, field]));

export function assetField(name: string): AssetField | undefined {
  return byName.get(name);
}

/** The targets a mapping must find before a flow can proceed without a person. */
export const REQUIRED_TARGET_GROUPS: readonly (readonly string[])[] = [["asset_name", "hostname"]];
