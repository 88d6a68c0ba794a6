import { join } from 'node:path';
import { readTfvars } from '../../scripts/emulator/e2e/scenario';

export const TFVARS_EXAMPLE_PATH = join(__dirname, '..', '..', 'terraform.tfvars.example');

/** `name = value` lines of terraform.tfvars.example; values are kept JSON-compatible HCL on purpose. */
export function readTfvarsExample(path = TFVARS_EXAMPLE_PATH): Record<string, unknown> {
  return readTfvars(path);
}
