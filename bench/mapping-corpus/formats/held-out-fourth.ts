/**
 * Held-out part, fourth round: written when four third-round held-out files moved to dev
 * (docs/mapping.md says which and why), before any tuning on them; never tuned on.
 */
import { c, type FormatSpec, g, oneOf } from "../lib/columns.ts";
import { dec, env } from "../lib/render.ts";

export const HELD_OUT_FOURTH: FormatSpec[] = [
  {
    name: "it-monitoraggio-host",
    // Moved to dev after the fourth held-out run (docs/mapping.md).
    split: "dev",
    kind: "monitoring",
    lang: "it",
    rows: 80,
    delimiter: ";",
    source: "Italian monitoring report of hosts (report di monitoraggio) exported to CSV",
    columns: [
      c("Nome host", g.name, "hostname"),
      c("Indirizzo", g.ip, "ip_addresses"),
      c("CPU media (%)", g.cpuAvg("it"), "cpu_utilization_avg"),
      c("CPU massima (%)", g.cpuMax("it"), "cpu_utilization_max"),
      c("Memoria usata media (%)", g.memAvg("it"), "memory_utilization_avg"),
      c("Memoria totale (GB)", (m) => dec(m.memGb, "it", 0), "memory_gb"),
      c("Disco totale (GB)", g.diskGb, "storage_gb"),
      c("Disco libero (GB)", g.freeGb, null, "free space is not used space"),
      c("Sistema operativo", g.osShort, "operating_system"),
      c("Ultimo controllo", (m) => m.lastSeen.toISOString(), null),
      c("Gruppo", (m) => m.app, null),
    ],
  },
  {
    name: "oneview-server-hardware",
    split: "held-out",
    kind: "discovery",
    lang: "en",
    rows: 60,
    source: "HPE OneView REST API server-hardware resource attributes (HPE OneView API reference)",
    columns: [
      c("name", (m) => `Enclosure-${m.index % 4}, bay ${m.index % 16}`, [null, "asset_name"]),
      c("serverName", g.name, ["asset_name", "hostname"]),
      c("serialNumber", g.serial, "serial_number"),
      c("model", g.model, null),
      c("uuid", g.uuid, "vm_uuid"),
      c("processorCount", g.sockets, "cpu_sockets"),
      c("processorCoreCount", g.cores, "cpu_cores"),
      c("processorSpeedMhz", oneOf("2400", "2600"), null),
      c("memoryMb", g.memMb, "memory_gb"),
      c("powerState", (m) => (m.on ? "On" : "Off"), "power_state"),
      c("romVersion", oneOf("U30 v2.54", "U32 v2.60"), null, "the firmware version is not the OS version"),
      c("mpFirmwareVersion", oneOf("2.44", "2.55"), null, "the iLO firmware version is not the OS version"),
      c("status", oneOf("OK", "OK", "Warning"), null),
    ],
  },
  {
    name: "gcloud-compute-instances",
    // Moved to dev after the fourth held-out run (docs/mapping.md).
    split: "dev",
    kind: "discovery",
    lang: "en",
    rows: 80,
    source: "gcloud compute instances list --format=csv(...) fields of the Compute Engine Instance resource",
    columns: [
      c("name", g.name, ["asset_name", "hostname"]),
      c("id", (m) => String(4000000000000000000n + BigInt(m.index * 7919)), "external_id"),
      c("zone", oneOf("europe-west1-b", "europe-west3-a"), ["location", "datacenter"]),
      c("machine_type", oneOf("n2-standard-4", "e2-medium"), null),
      c("status", (m) => (m.on ? "RUNNING" : "TERMINATED"), "power_state"),
      c("networkInterfaces[0].networkIP", g.ip, "ip_addresses"),
      c("creationTimestamp", (m) => m.lastSeen.toISOString(), null),
      c("labels.env", env("en"), "environment"),
      c("labels.app", (m) => m.app.toLowerCase(), "application_name"),
      c("disks[0].diskSizeGb", g.diskGb, "storage_gb"),
    ],
  },
  {
    name: "nl-monitoring-export",
    // Moved to dev after the fourth held-out run (docs/mapping.md).
    split: "dev",
    kind: "monitoring",
    lang: "nl",
    rows: 80,
    delimiter: ";",
    source: "Dutch monitoring export of servers (monitoringoverzicht) from a hosted monitoring tool",
    columns: [
      c("Servernaam", g.name, ["asset_name", "hostname"]),
      c("IP-adres", g.ip, "ip_addresses"),
      c("Gem. CPU-belasting (%)", g.cpuAvg("nl"), "cpu_utilization_avg"),
      c("Piek CPU-belasting (%)", g.cpuMax("nl"), "cpu_utilization_max"),
      c("Geheugengebruik (%)", g.memAvg("nl"), "memory_utilization_avg"),
      c("Totaal geheugen (GB)", g.memGb, "memory_gb"),
      c("Beschikbare schijfruimte (GB)", g.freeGb, null, "available space is not used space"),
      c("Totale schijfruimte (GB)", g.diskGb, "storage_gb"),
      c("Laatst gezien", (m) => m.lastSeen.toISOString(), null),
      c("Omgeving", env("nl"), "environment"),
    ],
  },
];
