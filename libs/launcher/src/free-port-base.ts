import { createServer } from "node:net";

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
  });
}

/**
 * The first port of a free block of 20 (see `meshPorts`), picked at random in 20000-32759 so
 * test files running in parallel do not race for the same block; the range stays below Linux's
 * ephemeral ports (32768+), which outgoing connections may take at any moment.
 */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 637) * 20;
    const ports = Array.from({ length: 15 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error("no free block of 20 ports found");
}
