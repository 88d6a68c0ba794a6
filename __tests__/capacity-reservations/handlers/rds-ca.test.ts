import { X509Certificate } from 'node:crypto';
import { tlsOptions } from '../../../functions/capacity-reservation/connection';
import { PROVIDER_REGIONS, sdkPartitionRegions } from '../fixtures/provider-regions';

/** RDS names each Region's root CAs "Amazon RDS <region> Root CA <algorithm> G1". */
const ROOT_CA = /^CN=Amazon RDS ([a-z]+(?:-gov)?-[a-z]+-\d+) Root CA (RSA2048|RSA4096|ECC384) G1$/m;

function validRootsByRegion(now: Date): Map<string, string[]> {
  const roots = new Map<string, string[]>();
  for (const pem of tlsOptions().ca as string[]) {
    const cert = new X509Certificate(pem);
    const match = ROOT_CA.exec(cert.subject);
    const valid = new Date(cert.validFrom) <= now && now < new Date(cert.validTo);
    if (!match?.[1] || !valid || !cert.ca || !cert.verify(cert.publicKey)) continue;
    roots.set(match[1], [...(roots.get(match[1]) ?? []), match[2] ?? '']);
  }
  return roots;
}

describe('the RDS CA bundle the reserver trusts', () => {
  it.each(Object.entries(PROVIDER_REGIONS))(
    'has a valid, self-signed RDS root CA for every %s Region the provider knows',
    (_partition, regions) => {
      // Act
      const roots = validRootsByRegion(new Date());

      // Assess
      const missing = regions.filter((region) => !roots.get(region)?.includes('RSA2048'));
      expect(missing).toEqual([]);
    },
  );

  it('names only Regions that the AWS partition data knows, in the same partition', () => {
    // Act
    const sdk = sdkPartitionRegions();

    // Assess
    for (const [partition, regions] of Object.entries(PROVIDER_REGIONS)) {
      expect(regions.filter((r) => !sdk.get(partition)?.has(r))).toEqual([]);
    }
  });
});
