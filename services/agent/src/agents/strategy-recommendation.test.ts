import { describe, expect, it } from "vitest";
import { endOfSupport } from "./os-support.ts";
import { recommendStrategy, type StrategyAsset } from "./strategy-recommendation.ts";

function asset(fields: Partial<StrategyAsset>): StrategyAsset {
  return {
    row: 1,
    assetName: "app-01",
    hostname: "app-01",
    assetType: "server",
    serverRole: "",
    environment: "production",
    powerState: "on",
    memoryGb: 16,
    operatingSystem: "Windows Server 2019",
    osVersion: "",
    osFamily: "windows",
    databaseType: "",
    technologyStack: "",
    cpuUtilizationAvg: 40,
    applicationName: "Billing",
    criticality: "medium",
    ...fields,
  };
}

describe("end-of-support operating systems", () => {
  it.each([
    ["Windows Server 2012 R2", "", "Windows Server 2012 R2", false],
    ["Windows Server 2008 R2", "", "Windows Server 2008 R2", true],
    ["Microsoft Windows Server", "6.1", "Windows Server 2008 R2", true],
    ["Windows Server 2003", "", "Windows Server 2003", true],
    ["Red Hat Enterprise Linux 6.10", "", "Red Hat Enterprise Linux 6.10", false],
    ["CentOS 7.9", "", "CentOS 7.9", false],
    ["CentOS 5.11", "", "CentOS 5.11", true],
    ["Ubuntu", "16.04", "Ubuntu 16.04", false],
    ["SUSE Linux Enterprise Server 11 SP4", "", "SUSE Linux Enterprise 11", false],
  ] as const)("%s %s is out of support", (os, version, label, veryOld) => {
    expect(endOfSupport(os, version)).toEqual({ label, veryOld });
  });
  it.each([
    ["Windows Server 2016", ""],
    ["Windows 2016 Standard", "10.0"],
    ["Red Hat Enterprise Linux", "8.6"],
    ["Ubuntu 18.04", ""],
    ["SUSE Linux Enterprise Server 15 SP3", ""],
    ["", ""],
  ] as const)("%s %s is supported or unknown", (os, version) => {
    expect(endOfSupport(os, version)).toBeUndefined();
  });
});

describe("strategy rules", () => {
  it("rehosts a healthy, fully described server with the default confidence", () => {
    expect(recommendStrategy(asset({}))).toMatchObject({
      strategy: "rehost",
      confidence: 0.8,
      missingData: [],
      factors: ["no_blocking_factor"],
    });
  });

  it("retires powered-off servers and idle ones no application uses", () => {
    expect(recommendStrategy(asset({ powerState: "off" }))).toMatchObject({ strategy: "retire", confidence: 0.7 });
    const idle = recommendStrategy(asset({ cpuUtilizationAvg: 2, applicationName: "" }));
    expect(idle).toMatchObject({ strategy: "retire", factors: ["idle_without_application"] });
    expect(recommendStrategy(asset({ cpuUtilizationAvg: 2 })).strategy).toBe("rehost");
  });

  it("replatforms end-of-support systems, and refactors critical ones on very old systems", () => {
    const eos = recommendStrategy(asset({ operatingSystem: "CentOS 7.9", osFamily: "linux" }));
    expect(eos).toMatchObject({ strategy: "replatform", confidence: 0.75, factors: ["end_of_support_os"] });
    expect(eos.rationale).toContain("CentOS 7.9 is out of vendor support");
    const critical = recommendStrategy(asset({ operatingSystem: "Windows Server 2003", criticality: "critical" }));
    expect(critical).toMatchObject({ strategy: "refactor", factors: ["end_of_support_os", "critical_on_very_old_os"] });
  });

  it("replatforms mainstream databases to a managed service", () => {
    const db = recommendStrategy(asset({ assetType: "database", databaseType: "sql_server" }));
    expect(db).toMatchObject({ strategy: "replatform", confidence: 0.8, factors: ["managed_database"] });
    expect(db.rationale).toContain("SQL Server can move to a managed database service");
    expect(recommendStrategy(asset({ assetType: "database", assetName: "ora-db-01", hostname: "" })).strategy).toBe(
      "replatform",
    );
    expect(recommendStrategy(asset({ databaseType: "db2" })).strategy).toBe("rehost");
  });

  it("repurchases commodity applications, retains legacy Unix, relocates huge-memory hosts", () => {
    expect(recommendStrategy(asset({ applicationName: "Exchange 2016" })).strategy).toBe("repurchase");
    expect(recommendStrategy(asset({ applicationName: "crm" })).strategy).toBe("repurchase");
    expect(recommendStrategy(asset({ operatingSystem: "AIX 7.2", osFamily: "unix" })).strategy).toBe("retain");
    expect(recommendStrategy(asset({ memoryGb: 2048 })).strategy).toBe("relocate");
  });

  it("lists every fired rule in order; the first decides", () => {
    const result = recommendStrategy(
      asset({ powerState: "off", operatingSystem: "Windows Server 2008 R2", databaseType: "postgres" }),
    );
    expect(result.strategy).toBe("retire");
    expect(result.factors).toEqual(["powered_off", "managed_database", "end_of_support_os"]);
    expect(result.rationale).toMatch(/^Retire: the server is powered off\. Also: /);
  });

  it("lowers confidence for each missing fact and names it", () => {
    const sparse = recommendStrategy(
      asset({ operatingSystem: "", osFamily: "", cpuUtilizationAvg: undefined, applicationName: "", environment: "" }),
    );
    expect(sparse.missingData).toEqual(["operating_system", "cpu_utilization", "application_name", "environment"]);
    expect(sparse.confidence).toBe(0.4);
    expect(sparse.rationale).toContain("missing operating system, cpu utilization, application name, environment");
  });
});
