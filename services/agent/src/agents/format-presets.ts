/**
 * Known export formats, recognised by headers only they write. A preset pins the meaning and
 * unit of its columns where the generic dictionary would guess wrong (RVTools' `Memory` is MiB
 * and says so nowhere; ServiceNow's `cpu_count` is sockets, not cores; Proxmox' `mem` is the
 * memory in use, `maxmem` the configured memory).
 */
export interface PresetColumn {
  target: string | null;
  unit?: string;
}

export interface FormatPreset {
  name: string;
  /** Normalised headers that, all present, identify the format. */
  signature: readonly string[];
  columns: Readonly<Record<string, PresetColumn>>;
  /** Patterns for numbered columns such as Azure's `Disk 3 size (In GB)`. */
  patterns?: ReadonlyArray<{ match: RegExp; column: PresetColumn }>;
}

export const FORMAT_PRESETS: readonly FormatPreset[] = [
  {
    name: "rvtools_vinfo",
    signature: ["vm", "powerstate", "cpus", "memory"],
    columns: {
      vm: { target: "asset_name" },
      dnsname: { target: "hostname" },
      powerstate: { target: "power_state" },
      cpus: { target: "cpu_cores" },
      memory: { target: "memory_gb", unit: "mib" },
      provisionedmib: { target: "storage_gb", unit: "mib" },
      provisionedmb: { target: "storage_gb", unit: "mib" },
      inusemib: { target: "storage_used_gb", unit: "mib" },
      inusemb: { target: "storage_used_gb", unit: "mib" },
      disks: { target: "disk_count" },
      primaryipaddress: { target: "ip_addresses" },
      osaccordingtotheconfigurationfile: { target: "operating_system" },
      osaccordingtothevmwaretools: { target: null },
      vmuuid: { target: "vm_uuid" },
      vmid: { target: "external_id" },
      datacenter: { target: "datacenter" },
      cluster: { target: "cluster" },
      host: { target: null },
      annotation: { target: null },
    },
  },
  {
    name: "aws_migration_hub",
    signature: ["externalid", "ramtotalsizeinmb"],
    columns: {
      externalid: { target: "external_id" },
      smbiosid: { target: "serial_number" },
      hostname: { target: "hostname" },
      ipaddress: { target: "ip_addresses" },
      macaddress: { target: "mac_address" },
      vmwaremorefid: { target: "vm_uuid" },
      vmwarevmname: { target: "asset_name" },
      vmwarevcenterid: { target: null },
      cpunumberofprocessors: { target: "cpu_sockets" },
      cpunumberofcores: { target: null },
      cpunumberoflogicalcores: { target: "cpu_cores" },
      osname: { target: "operating_system" },
      osversion: { target: "os_version" },
      ramtotalsizeinmb: { target: "memory_gb", unit: "mb" },
      ramusedsizeinmbavg: { target: null },
      ramusedsizeinmbmax: { target: null },
      cpuusagepctavg: { target: "cpu_utilization_avg" },
      cpuusagepctmax: { target: "cpu_utilization_max" },
      applications: { target: "application_name" },
      applicationwave: { target: null },
      tags: { target: "tags" },
      serverid: { target: null },
    },
  },
  {
    name: "azure_migrate",
    signature: ["servername", "cores", "memoryinmb"],
    columns: {
      servername: { target: "asset_name" },
      ipaddresses: { target: "ip_addresses" },
      cores: { target: "cpu_cores" },
      memoryinmb: { target: "memory_gb", unit: "mb" },
      osname: { target: "operating_system" },
      osversion: { target: "os_version" },
      osarchitecture: { target: "os_architecture" },
      servertype: { target: "hosting_model" },
      cpuutilizationpercentage: { target: "cpu_utilization_avg" },
      memoryutilizationpercentage: { target: "memory_utilization_avg" },
      numberofdisks: { target: "disk_count" },
      macaddress: { target: "mac_address" },
      fqdn: { target: "fqdn" },
    },
    patterns: [
      { match: /^disk\d+sizeingb$/, column: { target: "storage_gb", unit: "gb" } },
      { match: /^disk\d+(read|write)/, column: { target: null } },
    ],
  },
  {
    name: "google_migration_center",
    signature: ["machineid", "machinename", "allocatedprocessorcorecount"],
    columns: {
      machineid: { target: "external_id" },
      machinename: { target: "asset_name" },
      primaryipaddress: { target: "ip_addresses" },
      primarymacaddress: { target: "mac_address" },
      publicipaddress: { target: null },
      ipaddresslistsemicolondelimited: { target: null },
      totaldiskallocatedgib: { target: "storage_gb", unit: "gib" },
      totaldiskusedgib: { target: "storage_used_gb", unit: "gib" },
      machinetypelabel: { target: null },
      allocatedprocessorcorecount: { target: "cpu_cores" },
      memorygib: { target: "memory_gb", unit: "gib" },
      memorygb: { target: "memory_gb", unit: "gib" },
      hostinglocation: { target: "datacenter" },
      ostype: { target: "os_family" },
      osname: { target: "operating_system" },
      osversion: { target: "os_version" },
      machinestatus: { target: "power_state" },
      isphysical: { target: "hosting_model" },
      source: { target: "virtualization_platform" },
    },
  },
  {
    name: "servicenow_cmdb_ci_server",
    signature: ["sysid", "name"],
    columns: {
      sysid: { target: "external_id" },
      name: { target: "asset_name" },
      hostname: { target: "hostname" },
      fqdn: { target: "fqdn" },
      ipaddress: { target: "ip_addresses" },
      macaddress: { target: "mac_address" },
      serialnumber: { target: "serial_number" },
      os: { target: "operating_system" },
      osversion: { target: "os_version" },
      osdomain: { target: null },
      cpucount: { target: "cpu_sockets" },
      cpucorecount: { target: "cpu_cores" },
      ram: { target: "memory_gb", unit: "mb" },
      diskspace: { target: "storage_gb", unit: "gb" },
      usedfor: { target: "environment" },
      sysclassname: { target: "asset_type" },
      virtual: { target: "hosting_model" },
      location: { target: "location" },
      assignedto: { target: "technical_owner" },
      ownedby: { target: "business_owner" },
      supportgroup: { target: null },
      department: { target: "business_unit" },
      costcenter: { target: "cost_center" },
      operationalstatus: { target: "power_state" },
      installstatus: { target: null },
      shortdescription: { target: null },
    },
  },
  {
    // Proxmox VE's API and `pvesh` (/cluster/resources, /nodes/{node}/qemu): `maxmem`, `maxdisk`
    // and `maxcpu` are the configured sizes and `mem`, `disk`, `cpu` what is in use now, in bytes
    // and as a fraction of the cores. "max" reads as a statistic and nothing in `mem` says "used".
    name: "proxmox_ve",
    signature: ["maxmem", "maxdisk", "mem"],
    columns: {
      maxmem: { target: "memory_gb", unit: "b" },
      maxdisk: { target: "storage_gb", unit: "b" },
      maxcpu: { target: "cpu_cores" },
      mem: { target: null },
      disk: { target: null },
      cpu: { target: null },
      node: { target: null },
    },
  },
];

/** The preset whose every signature header is present, if any. */
export function detectFormat(normalizedHeaders: ReadonlySet<string>): FormatPreset | undefined {
  return FORMAT_PRESETS.find((preset) => preset.signature.every((header) => normalizedHeaders.has(header)));
}

export function presetColumn(preset: FormatPreset, normalized: string): PresetColumn | undefined {
  const direct = preset.columns[normalized];
  if (direct) return direct;
  return preset.patterns?.find((pattern) => pattern.match.test(normalized))?.column;
}
