/**
 * Spaces calls to at most `ratePerSecond`: each call waits for its own slot, so concurrent callers and a
 * run spread over several invocations never burst above the rate (EC2 throttles per account and Region
 * with token buckets: https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 */
export function pacer(
  ratePerSecond: number,
  now: () => Date,
  sleep: (ms: number) => Promise<void>,
  firstSlot = 0,
): (() => Promise<void>) & { nextSlot: () => number } {
  const intervalMs = 1000 / ratePerSecond;
  let nextSlot = firstSlot;
  const take = async () => {
    const at = now().getTime();
    const slot = Math.max(at, nextSlot);
    nextSlot = slot + intervalMs;
    if (slot > at) await sleep(slot - at);
  };
  return Object.assign(take, { nextSlot: () => nextSlot });
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
