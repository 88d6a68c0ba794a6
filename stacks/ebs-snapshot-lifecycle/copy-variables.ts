import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import { numberVar } from '../platform/variables';

const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]+$';

/** The cross-Region copy variables, `snapshot_copy_*`. */
export function declareCopyVariables(stack: OpsStack) {
  const regions = new TerraformVariable(stack, 'snapshot_copy_regions', {
    type: 'list(string)',
    default: [],
    description:
      'Regions each completed managed snapshot is copied to, for disaster recovery (empty: no copies, and no trigger).',
    validation: [
      {
        condition: `\${alltrue([for r in var.snapshot_copy_regions : can(regex("${REGION_PATTERN}", r))])}`,
        errorMessage: 'snapshot_copy_regions must hold Region names like "eu-west-1".',
      },
      {
        condition:
          '${length(distinct(var.snapshot_copy_regions)) == length(var.snapshot_copy_regions)}',
        errorMessage: 'snapshot_copy_regions must not name a Region twice.',
      },
      {
        condition: '${!contains(var.snapshot_copy_regions, var.region)}',
        errorMessage:
          "snapshot_copy_regions must not hold the stack's own Region (var.region): a copy there is no disaster recovery.",
      },
    ],
  });
  const kmsKeyArns = new TerraformVariable(stack, 'snapshot_copy_kms_key_arns', {
    type: 'map(string)',
    default: {},
    description:
      'KMS key ARN per destination Region (a key of that Region) that encrypts the copies there; a Region not listed gets EBS defaults.',
    validation: [
      {
        condition:
          '${alltrue([for r, arn in var.snapshot_copy_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:${r}:[0-9]{12}:key/.+$", arn))])}',
        errorMessage:
          'Each snapshot_copy_kms_key_arns value must be the ARN of a KMS key in the Region that is its map key.',
      },
      {
        condition:
          '${alltrue([for r in keys(var.snapshot_copy_kms_key_arns) : contains(var.snapshot_copy_regions, r)])}',
        errorMessage: 'Every snapshot_copy_kms_key_arns key must be in snapshot_copy_regions.',
      },
    ],
  });
  const retentionDays = numberVar(stack, 'snapshot_copy_retention_days', {
    default: 7,
    min: 1,
    max: 36500,
    unit: ' days',
    description:
      'Days a cross-Region copy is kept (its own expiry tag and record), counted from the copy.',
  });
  return { regions, kmsKeyArns, retentionDays };
}
