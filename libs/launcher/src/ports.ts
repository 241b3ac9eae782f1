/** Default ports (README's table). Tests pass a base to get a free block of their own. */
export const SERVICE_NAMES = ["learning", "agent", "flow", "telemetry", "gateway"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface MeshPorts {
  gatewayHttp: number;
  grpc: Record<Exclude<ServiceName, "gateway">, number>;
  metrics: Record<ServiceName, number>;
}

export function meshPorts(base?: number): MeshPorts {
  if (base === undefined) {
    return {
      gatewayHttp: 8080,
      grpc: { flow: 50051, agent: 50052, learning: 50053, telemetry: 50054 },
      metrics: { gateway: 9080, flow: 9091, agent: 9092, learning: 9093, telemetry: 9094 },
    };
  }
  return {
    gatewayHttp: base,
    grpc: { flow: base + 1, agent: base + 2, learning: base + 3, telemetry: base + 4 },
    metrics: { gateway: base + 10, flow: base + 11, agent: base + 12, learning: base + 13, telemetry: base + 14 },
  };
}
