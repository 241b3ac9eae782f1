/**
 * Held-out part, sixth and seventh rounds: GLPI written when Proxmox' /cluster/resources moved to
 * dev, Open-AudIT when GLPI did (docs/mapping.md says why); each before any run of the mapper on
 * it, and never tuned on while held-out.
 */
import { c, type FormatSpec, g, oneOf, u } from "../lib/columns.ts";
import { env } from "../lib/render.ts";

export const HELD_OUT_SIXTH: FormatSpec[] = [
  {
    // Moved to dev after the sixth held-out run (docs/mapping.md).
    name: "glpi-computers",
    split: "dev",
    kind: "cmdb",
    lang: "en",
    rows: 80,
    delimiter: ";",
    source: "GLPI 10 asset management, Computers list exported as CSV (search options of the Computer item)",
    columns: [
      c("Name", g.name, ["asset_name", "hostname"]),
      u("Entity", (m) => `Root entity > ${m.bu}`),
      u("Status", oneOf("In production", "In production", "In stock", "Decommissioning")),
      c("Manufacturer", g.manufacturer, null),
      c("Serial number", g.serial, "serial_number"),
      c("Type", (m) => (m.virtual ? "Virtual Machine" : "Server"), ["asset_type", "hosting_model"]),
      c("Model", g.model, null),
      c("Operating system - Name", g.os, "operating_system"),
      c("Operating system - Version", g.osVersion, "os_version"),
      c("Operating system - Architecture", g.arch, "os_architecture"),
      c("Components - Memory", g.memMb, "memory_gb"),
      c("Components - Number of cores", g.cores, "cpu_cores"),
      c("Volumes - Total size", g.diskMb, "storage_gb"),
      c("Network ports - IP", g.ips(", "), "ip_addresses"),
      c("Network ports - MAC", g.mac, "mac_address"),
      c("Location", g.city, "location"),
      c("Technician in charge of the hardware", g.techOwner, "technical_owner"),
      u("Group in charge of the hardware", oneOf("Linux team", "Windows team", "DBA team")),
      u("Inventory number", g.assetTag),
      c("UUID", g.uuid, ["vm_uuid", null]),
      c("Domain", g.domain, null),
      c("Last update", g.lastSeen, null),
      c("Comments", g.note, null),
    ],
  },
  {
    name: "open-audit-devices",
    split: "held-out",
    kind: "discovery",
    lang: "en",
    rows: 90,
    source: "Open-AudIT devices list exported as CSV (fields of the Open-AudIT devices/system table)",
    columns: [
      c("id", g.index, "external_id"),
      c("name", g.name, ["asset_name", "hostname"]),
      c("ip", g.ip, "ip_addresses"),
      c("hostname", g.name, ["hostname", "asset_name"]),
      c("dns_fqdn", g.fqdn, "fqdn"),
      u("type", oneOf("computer")),
      c("class", (m) => (m.virtual ? "virtual server" : "server"), ["asset_type", "hosting_model"]),
      c("os_group", g.osFamily, "os_family"),
      u("os_family", (m) => m.os.split(" ").slice(0, 2).join(" ")),
      c("os_name", g.os, "operating_system"),
      c("os_version", g.osVersion, "os_version"),
      c("manufacturer", g.manufacturer, null),
      c("model", g.model, null),
      c("serial", g.serial, "serial_number"),
      c("uuid", g.uuid, ["vm_uuid", null]),
      c("memory_count", g.memMb, "memory_gb"),
      c("processor_count", g.sockets, ["cpu_sockets", "cpu_cores"]),
      c("environment", env("en"), "environment"),
      u("status", oneOf("production", "production", "retired")),
      c("description", g.note, null),
      c("last_seen", g.lastSeen, null),
    ],
  },
];
