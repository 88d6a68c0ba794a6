import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../../scripts/emulator/aws/call';
import { startEmulator, type Emulator } from '../../scripts/emulator/emulator';
import { motoMissingNote, requireMoto } from '../../scripts/emulator/moto';
import type { StandInRecord } from '../../scripts/emulator/stand-ins/types';

/** Under CI=true a missing moto throws (a failure); elsewhere these tests skip with a note. */
export const moto = requireMoto();
if (!moto) console.warn(motoMissingNote());
export const describeEmulator = moto ? describe : describe.skip;

/** A fresh emulator (moto behind the stand-ins) for one test file: start it in beforeAll, stop it in afterAll. */
export async function emulatorForTests(): Promise<Emulator> {
  if (!moto) throw new Error(motoMissingNote());
  return startEmulator(moto);
}

/** Client settings of an AWS SDK v3 client talking to the emulator: no retries, so a refusal shows at once. */
export const clientConfig = (endpoint: string) => ({
  endpoint,
  region: EMULATOR_REGION,
  credentials: EMULATOR_CREDENTIALS,
  maxAttempts: 1,
});

/** What the stand-ins recorded, as a test reads it over HTTP. */
export async function records(endpoint: string): Promise<StandInRecord[]> {
  const res = await fetch(`${endpoint}/_stand-ins/records`);
  return (await res.json()) as StandInRecord[];
}

/** POST/PUT/GET a stand-in hook under /_stand-ins/. */
export async function hook(endpoint: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${endpoint}/_stand-ins/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
