/**
 * The part of aws-sdk-client-mock's stub API the test worlds use to say how they answer (`on(Command)
 * .callsFake(fn)`, `resolves`, `rejects`, `reset`, `commandCalls`), kept in process: the harness's wire asks
 * it for the answer after the real SDK has serialized, signed and sent the request.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CommandClass = abstract new (...args: any[]) => { input: unknown };
type Fake = (input: never) => unknown;

export class AnswerBook {
  private readonly fakes = new Map<CommandClass, Fake>();
  /** Every command the world answered (applied), in order. */
  readonly applied: Array<{ readonly command: string; readonly input: unknown }> = [];

  on(command: CommandClass) {
    const set = (fake: Fake) => {
      this.fakes.set(command, fake);
      return this;
    };
    return {
      callsFake: (fake: Fake) => set(fake),
      resolves: (output: unknown) => set(() => output),
      rejects: (error: unknown) =>
        set(() => {
          throw error;
        }),
    };
  }

  reset(): this {
    this.fakes.clear();
    this.applied.length = 0;
    return this;
  }

  /** aws-sdk-client-mock's commandCalls: the inputs of the applied calls of one command. */
  commandCalls(command: CommandClass) {
    return this.applied
      .filter((c) => c.command === command.name.replace(/Command$/, ''))
      .map((c) => ({ args: [{ input: c.input }] as const }));
  }

  /** The world's answer to one operation (it throws the service's error when the world does). */
  async answer(command: string, input: unknown): Promise<unknown> {
    const fake = [...this.fakes.entries()].find(
      ([c]) => c.name.replace(/Command$/, '') === command,
    )?.[1];
    if (!fake) throw new Error(`the test world answers no ${command}`);
    this.applied.push({ command, input });
    return (fake as (i: unknown) => unknown)(input);
  }
}

/** A deep copy that keeps Dates as Dates of this realm (structuredClone would make Node-realm Dates). */
export function copy<T>(value: T): T {
  // Not instanceof: the worlds' structuredClone makes Dates of Node's realm, not this one.
  if (Object.prototype.toString.call(value) === '[object Date]')
    return new Date((value as Date).getTime()) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}
