import { WORLD } from '../../support/deployment';

/**
 * The process environment of a harness test file: the deployment's region and static credentials for the SDK
 * clients the handlers build (the wire answers them, nothing leaves the process). Call at the top of the file,
 * before any handler module is imported.
 */
export function useHarnessEnvironment(): void {
  process.env.AWS_REGION = WORLD.region;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  delete process.env.AWS_PROFILE;
}

/**
 * Fake wall-clock time: only Date is faked (timers, microtasks and I/O stay real, so the SDK, mysql2 and
 * Powertools run as usual). Time moves when the harness says: per HTTP attempt and between invocations.
 */
export class FakeClock {
  start(at: Date): void {
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
      now: at,
    });
  }

  /** The fake time; a scenario's own jumps (jest.setSystemTime, e.g. a mocked sleep) count too. */
  now(): number {
    return Date.now();
  }

  /** Moves to `at` unless time is already past it. */
  advanceTo(at: number): void {
    if (at > this.now()) jest.setSystemTime(at);
  }

  advance(ms: number): void {
    jest.setSystemTime(this.now() + ms);
  }

  stop(): void {
    jest.useRealTimers();
  }
}
