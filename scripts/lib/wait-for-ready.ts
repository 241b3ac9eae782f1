/** Polls the gateway's `/readyz` until every downstream is SERVING, or fails naming what is not. */
export async function waitForReady(gatewayUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${gatewayUrl}/readyz`);
      last = await res.text();
      if (res.ok) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gateway not ready after ${timeoutMs} ms: ${last}`);
}
