import { offlineEnv, PROOF_GOGC } from '../../scripts/terraform-env';

describe('offlineEnv: the environment of the offline proofs’ terraform commands', () => {
  const saved = process.env.GOGC;
  afterEach(() => {
    if (saved === undefined) delete process.env.GOGC;
    else process.env.GOGC = saved;
  });

  test('sets the Go garbage-collector target of terraform and the provider when none is set', () => {
    // Prepare
    delete process.env.GOGC;

    // Act
    const env = offlineEnv('/tmp/cli.tfrc');

    // Assess
    expect(env.GOGC).toBe(PROOF_GOGC);
    expect(Number(PROOF_GOGC)).toBeGreaterThan(100);
    expect(env.TF_CLI_CONFIG_FILE).toBe('/tmp/cli.tfrc');
  });

  test('keeps a GOGC the caller set', () => {
    // Prepare
    process.env.GOGC = '100';

    // Act
    const env = offlineEnv('/tmp/cli.tfrc');

    // Assess
    expect(env.GOGC).toBe('100');
  });
});
