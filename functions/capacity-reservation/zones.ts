import { DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { OpsError } from '../shared/errors';

/** The zones of the deployment's Region, by name and by id. */
export interface ZoneDirectory {
  readonly region: string;
  /** Zone name -> zone id, e.g. us-east-1a -> use1-az2 (the mapping differs between accounts). */
  readonly idByName: ReadonlyMap<string, string>;
  /** Zone id -> zone name. */
  readonly nameById: ReadonlyMap<string, string>;
  /** Local and Wavelength Zones the account has not opted in to (names). */
  readonly notOptedIn: ReadonlySet<string>;
}

export class ZoneLookupError extends OpsError {}

/** e.g. us-east-1a, us-gov-west-1b, Local Zones such as us-west-2-lax-1a */
export const ZONE_NAME = /^([a-z]{2}(?:-[a-z]+)+-\d+)(?:-[a-z]+-\d+)?[a-z]$/;
/** e.g. use1-az1, usw2-lax1-az1, use1-wl1-bos-wlz1 */
export const ZONE_ID = /^[a-z]{2,5}\d+(?:-[a-z0-9]+)*-[a-z]*z\d+$/;

/**
 * One DescribeAvailabilityZones per run, with AllAvailabilityZones so that a zone the account has not opted in to
 * gets its own message: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html
 * Zone names map to different physical zones in each account; zone ids do not:
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html
 */
export async function describeZones(ec2: EC2Client): Promise<ZoneDirectory> {
  const region = await ec2.config.region();
  let zones;
  try {
    zones = (await ec2.send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true })))
      .AvailabilityZones;
  } catch (error) {
    throw new ZoneLookupError(`cannot list the zones of ${region}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const idByName = new Map<string, string>();
  const notOptedIn = new Set<string>();
  for (const z of zones ?? []) {
    if (!z.ZoneName || !z.ZoneId || (z.RegionName && z.RegionName !== region)) continue;
    idByName.set(z.ZoneName, z.ZoneId);
    if (z.OptInStatus === 'not-opted-in') notOptedIn.add(z.ZoneName);
  }
  const nameById = new Map([...idByName].map(([name, id]) => [id, name]));
  return { region, idByName, nameById, notOptedIn };
}

/** The zone name a row's AvailabilityZone (a name or an id) stands for here, or why it is not usable. */
export function resolveZone(
  zones: ZoneDirectory,
  value: string,
): { readonly ok: true; readonly name: string } | { readonly ok: false; readonly error: string } {
  const name = zones.idByName.has(value) ? value : zones.nameById.get(value);
  const shown = JSON.stringify(value);
  if (name !== undefined) {
    return zones.notOptedIn.has(name)
      ? { ok: false, error: `AvailabilityZone ${shown} is a zone this account has not opted in to` }
      : { ok: true, name };
  }
  const region = ZONE_NAME.exec(value)?.[1];
  if (region !== undefined && region !== zones.region) {
    return {
      ok: false,
      error: `AvailabilityZone ${shown} is in Region ${region}, but this deployment runs in ${zones.region}`,
    };
  }
  const known = [...zones.idByName]
    .filter(([n]) => !zones.notOptedIn.has(n))
    .map(([n, id]) => `${n} (${id})`)
    .join(', ');
  return {
    ok: false,
    error: `AvailabilityZone ${shown} is not a zone name or zone id of ${zones.region} (zones: ${known})`,
  };
}
