/**
 * A poll loop's pause that `wake()` cuts short. A wake that comes while the loop is busy is
 * remembered, so the next `sleep` returns at once and no notification is lost.
 */
export interface WakeableSleep {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

export function wakeableSleep(): WakeableSleep {
  let woken = false;
  let interrupt: (() => void) | undefined;
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (woken) {
          woken = false;
          resolve();
          return;
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          interrupt = undefined;
          woken = false;
          resolve();
        }
        interrupt = done;
      }),
    wake: () => {
      if (interrupt) interrupt();
      else woken = true;
    },
  };
}
