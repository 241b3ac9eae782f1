/**
 * A cleansed asset, field for field the `migrate.agent.v1.Asset` message (camelCase, row as a
 * number): the handlers hand it to the wire as is. Text fields are "" when unknown, numbers
 * undefined, so "not known" is never confused with zero.
 */
export interface CanonicalAsset {
  row: number;
  externalId: string;
  assetName: string;
  hostname: string;
  fqdn: string;
  ipAddresses: string[];
  macAddress: string;
  serialNumber: string;
  vmUuid: string;
  assetType: string;
  serverRole: string;
  environment: string;
  powerState: string;
  virtualizationPlatform: string;
  hostingModel: string;
  cpuCores?: number;
  cpuSockets?: number;
  memoryGb?: number;
  storageGb?: number;
  storageUsedGb?: number;
  diskCount?: number;
  operatingSystem: string;
  osVersion: string;
  osFamily: string;
  osArchitecture: string;
  databaseType: string;
  databaseVersion: string;
  technologyStack: string;
  cpuUtilizationAvg?: number;
  cpuUtilizationMax?: number;
  memoryUtilizationAvg?: number;
  memoryUtilizationMax?: number;
  diskIops?: number;
  networkThroughputMbps?: number;
  datacenter: string;
  cluster: string;
  location: string;
  applicationName: string;
  businessOwner: string;
  technicalOwner: string;
  businessUnit: string;
  criticality: string;
  costCenter: string;
  tags: Record<string, string>;
  customAttributes: Record<string, string>;
  qualityScore: number;
  classificationConfidence: number;
  classificationReason: string;
}

export type TextField = {
  [K in keyof CanonicalAsset]-?: CanonicalAsset[K] extends string ? K : never;
}[keyof CanonicalAsset];

export type NumberField = {
  [K in keyof CanonicalAsset]-?: CanonicalAsset[K] extends number | undefined
    ? undefined extends CanonicalAsset[K]
      ? K
      : never
    : never;
}[keyof CanonicalAsset];

export function emptyAsset(row: number): CanonicalAsset {
  return {
    row,
    externalId: "",
    assetName: "",
    hostname: "",
    fqdn: "",
    ipAddresses: [],
    macAddress: "",
    serialNumber: "",
    vmUuid: "",
    assetType: "",
    serverRole: "",
    environment: "",
    powerState: "",
    virtualizationPlatform: "",
    hostingModel: "",
    operatingSystem: "",
    osVersion: "",
    osFamily: "",
    osArchitecture: "",
    databaseType: "",
    databaseVersion: "",
    technologyStack: "",
    datacenter: "",
    cluster: "",
    location: "",
    applicationName: "",
    businessOwner: "",
    technicalOwner: "",
    businessUnit: "",
    criticality: "",
    costCenter: "",
    tags: {},
    customAttributes: {},
    qualityScore: 0,
    classificationConfidence: 0,
    classificationReason: "",
  };
}

const SNAKE = /_([a-z])/g;
const KEYS = new Map<string, keyof CanonicalAsset>();

/** "cpu_utilization_avg" → "cpuUtilizationAvg": canonical field name to asset property. */
export function assetKey(field: string): keyof CanonicalAsset {
  let key = KEYS.get(field);
  if (!key) {
    key = field.replace(SNAKE, (_, letter: string) => letter.toUpperCase()) as keyof CanonicalAsset;
    KEYS.set(field, key);
  }
  return key;
}

/** One recorded cleansing change (the `Change` message, row as a number). */
export interface Change {
  row: number;
  field: string;
  sourceColumn: string;
  before: string;
  after: string;
  rule: string;
}

/** A reported problem with a value (the `Issue` message, row as a number; 0: not row-bound). */
export interface Issue {
  row: number;
  column: string;
  field: string;
  value: string;
  severity: "info" | "warning" | "error";
  code: string;
  message: string;
}
