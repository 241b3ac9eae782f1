/**
 * Held-out part, fifth round: written when three fourth-round held-out files moved to dev
 * (docs/mapping.md says which and why), before any tuning on them; never tuned on.
 */
import { c, type FormatSpec, g, oneOf } from "../lib/columns.ts";
import { dec, env, power } from "../lib/render.ts";

export const HELD_OUT_FIFTH: FormatSpec[] = [
  {
    name: "es-monitorizacion",
    split: "held-out",
    kind: "monitoring",
    lang: "es",
    rows: 80,
    delimiter: ";",
    source: "Spanish monitoring export of servers (informe de monitorización)",
    columns: [
      c("Servidor", g.name, ["asset_name", "hostname"]),
      c("Dirección", g.ip, "ip_addresses"),
      c("CPU promedio (%)", g.cpuAvg("es"), "cpu_utilization_avg"),
      c("CPU máxima (%)", g.cpuMax("es"), "cpu_utilization_max"),
      c("Memoria utilizada promedio (%)", g.memAvg("es"), "memory_utilization_avg"),
      c("Memoria física total (MB)", g.memMb, "memory_gb"),
      c("Espacio en disco total (GB)", g.diskGb, "storage_gb"),
      c("Espacio en disco libre (GB)", g.freeGb, null, "free space is not used space"),
      c("Estado", power("es"), "power_state"),
      c("Última comprobación", (m) => m.lastSeen.toISOString(), null),
    ],
  },
  {
    name: "fr-supervision-serveurs",
    split: "held-out",
    kind: "monitoring",
    lang: "fr",
    rows: 80,
    delimiter: ";",
    source: "French server supervision export (supervision des serveurs) from a monitoring console",
    columns: [
      c("Hôte", g.name, "hostname"),
      c("Adresse", g.ip, "ip_addresses"),
      c("Charge CPU moyenne (%)", g.cpuAvg("fr"), "cpu_utilization_avg"),
      c("Charge CPU max (%)", g.cpuMax("fr"), "cpu_utilization_max"),
      c("Mémoire utilisée (%)", g.memAvg("fr"), "memory_utilization_avg"),
      c("Mémoire totale (Go)", (m) => dec(m.memGb, "fr", 0), "memory_gb"),
      c("Espace disque total (Go)", g.diskGb, "storage_gb"),
      c("Espace disque utilisé (Go)", g.usedGb, "storage_used_gb"),
      c("Environnement", env("fr"), "environment"),
      c("Dernière vérification", (m) => m.lastSeen.toISOString(), null),
    ],
  },
  {
    name: "openstack-server-list",
    split: "held-out",
    kind: "hypervisor",
    lang: "en",
    rows: 80,
    source: "openstack server list --long -f csv columns (python-openstackclient reference)",
    columns: [
      c("ID", g.uuid, ["vm_uuid", "external_id"]),
      c("Name", g.name, ["asset_name", "hostname"]),
      c("Status", (m) => (m.on ? "ACTIVE" : "SHUTOFF"), "power_state"),
      c("Task State", oneOf("None", "None", "spawning"), null),
      c("Power State", (m) => (m.on ? "Running" : "Shutdown"), ["power_state", null]),
      c("Networks", (m) => `private=${m.ip}`, ["ip_addresses", null]),
      c("Image Name", g.osShort, ["operating_system", null]),
      c("Flavor Name", oneOf("m1.large", "m1.xlarge"), null),
      c("Availability Zone", oneOf("nova", "az-2"), ["location", null]),
      c("Host", (m) => `compute-${m.index % 8}`, null, "the compute host is not this instance"),
      c("Properties", (m) => `app='${m.app.toLowerCase()}'`, ["tags", null]),
    ],
    siblings: [{ target: "power_state", columns: ["Status", "Power State"] }],
  },
];
