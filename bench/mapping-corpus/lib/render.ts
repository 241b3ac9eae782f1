/**
 * How spreadsheets in seven languages write the same facts: decimal commas, enum words,
 * booleans. The words are the ones people type in those languages, not translations of ours.
 */
import type { Crit, Env, Machine, Rng } from "./machine.ts";

export type Lang = "en" | "de" | "fr" | "es" | "pt" | "it" | "nl";

const ENV: Record<Lang, Record<Env, string>> = {
  en: { production: "Production", staging: "Staging", test: "QA", development: "Development", dr: "DR" },
  de: { production: "Produktion", staging: "Abnahme", test: "Test", development: "Entwicklung", dr: "Notfall" },
  fr: { production: "Production", staging: "Pré-production", test: "Recette", development: "Développement", dr: "PRA" },
  es: {
    production: "Producción",
    staging: "Preproducción",
    test: "Pruebas",
    development: "Desarrollo",
    dr: "Contingencia",
  },
  pt: {
    production: "Produção",
    staging: "Homologação",
    test: "Teste",
    development: "Desenvolvimento",
    dr: "Contingência",
  },
  it: {
    production: "Produzione",
    staging: "Pre-produzione",
    test: "Collaudo",
    development: "Sviluppo",
    dr: "Disaster Recovery",
  },
  nl: { production: "Productie", staging: "Acceptatie", test: "Test", development: "Ontwikkeling", dr: "Uitwijk" },
};
const CRIT: Record<Lang, Record<Crit, string>> = {
  en: { low: "Low", medium: "Medium", high: "High", critical: "Critical" },
  de: { low: "niedrig", medium: "mittel", high: "hoch", critical: "kritisch" },
  fr: { low: "Faible", medium: "Moyenne", high: "Haute", critical: "Critique" },
  es: { low: "Baja", medium: "Media", high: "Alta", critical: "Crítica" },
  pt: { low: "Baixa", medium: "Média", high: "Alta", critical: "Crítica" },
  it: { low: "Bassa", medium: "Media", high: "Alta", critical: "Critica" },
  nl: { low: "Laag", medium: "Middel", high: "Hoog", critical: "Kritiek" },
};
const YES_NO: Record<Lang, [string, string]> = {
  en: ["Yes", "No"],
  de: ["ja", "nein"],
  fr: ["oui", "non"],
  es: ["sí", "no"],
  pt: ["sim", "não"],
  it: ["sì", "no"],
  nl: ["ja", "nee"],
};
const POWER: Record<Lang, [string, string]> = {
  en: ["Powered On", "Powered Off"],
  de: ["eingeschaltet", "ausgeschaltet"],
  fr: ["allumé", "éteint"],
  es: ["encendido", "apagado"],
  pt: ["ligado", "desligado"],
  it: ["acceso", "spento"],
  nl: ["aan", "uit"],
};
const VIRT: Record<Lang, [string, string]> = {
  en: ["Virtual", "Physical"],
  de: ["Virtuell", "Physisch"],
  fr: ["Virtuel", "Physique"],
  es: ["Virtual", "Físico"],
  pt: ["Virtual", "Físico"],
  it: ["Virtuale", "Fisico"],
  nl: ["Virtueel", "Fysiek"],
};
const ROLE: Record<Lang, Record<string, string>> = {
  en: {
    web: "Web server",
    app: "Application server",
    db: "Database",
    batch: "Batch",
    file: "File server",
    proxy: "Proxy",
  },
  de: {
    web: "Webserver",
    app: "Applikationsserver",
    db: "Datenbank",
    batch: "Batch",
    file: "Dateiserver",
    proxy: "Proxy",
  },
  fr: {
    web: "Serveur web",
    app: "Serveur d'application",
    db: "Base de données",
    batch: "Traitement",
    file: "Serveur de fichiers",
    proxy: "Proxy",
  },
  es: {
    web: "Servidor web",
    app: "Servidor de aplicaciones",
    db: "Base de datos",
    batch: "Lotes",
    file: "Servidor de archivos",
    proxy: "Proxy",
  },
  pt: {
    web: "Servidor web",
    app: "Servidor de aplicação",
    db: "Banco de dados",
    batch: "Lote",
    file: "Servidor de arquivos",
    proxy: "Proxy",
  },
  it: {
    web: "Server web",
    app: "Application server",
    db: "Database",
    batch: "Batch",
    file: "File server",
    proxy: "Proxy",
  },
  nl: {
    web: "Webserver",
    app: "Applicatieserver",
    db: "Database",
    batch: "Batch",
    file: "Bestandsserver",
    proxy: "Proxy",
  },
};

export const env = (lang: Lang) => (m: Machine) => ENV[lang][m.env];
export const crit = (lang: Lang) => (m: Machine) => CRIT[lang][m.crit];
export const power = (lang: Lang) => (m: Machine) => POWER[lang][m.on ? 0 : 1];
export const virt = (lang: Lang) => (m: Machine) => VIRT[lang][m.virtual ? 0 : 1];
export const isVirtual = (lang: Lang) => (m: Machine) => YES_NO[lang][m.virtual ? 0 : 1];
export const isPhysical = (lang: Lang) => (m: Machine) => YES_NO[lang][m.virtual ? 1 : 0];
export const yesNo =
  (lang: Lang, p = 0.5) =>
  (_m: Machine, r: Rng) =>
    YES_NO[lang][r() < p ? 0 : 1];
export const role = (lang: Lang) => (m: Machine) => ROLE[lang][m.role] ?? m.role;

/** A decimal number the way the language writes it: 12.5 → "12,5" outside English. */
export function dec(value: number, lang: Lang, digits = 1): string {
  const text = value.toFixed(digits);
  return lang === "en" ? text : text.replace(".", ",");
}

/** Groups thousands the way the language does: 16384 → "16.384" in German, "16 384" in French. */
export function thousands(value: number, lang: Lang): string {
  const sep = lang === "en" ? "," : lang === "fr" ? " " : ".";
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** An ISO date, or the day-first date European spreadsheets show. */
export function date(d: Date, lang: Lang): string {
  const iso = d.toISOString().slice(0, 10);
  if (lang === "en") return iso;
  const [y, mo, da] = iso.split("-");
  return lang === "de" || lang === "nl" ? `${da}.${mo}.${y}` : `${da}/${mo}/${y}`;
}
