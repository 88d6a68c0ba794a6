import { appAutoScalingStandIns } from './appautoscaling';
import { autoScalingStandIns } from './autoscaling';
import { dmsStandIns } from './dms';
import { ec2StandIns } from './ec2';
import { ec2CapacityStandIns } from './ec2-capacity';
import { ecrStandIns } from './ecr';
import { ecsStandIns } from './ecs';
import { lambdaStandIns } from './lambda';
import { rdsStandIns } from './rds';
import { redshiftStandIns } from './redshift';
import { resourceGroupsStandIns } from './resource-groups';
import { sfnStandIns } from './sfn';
import { sqsStandIns } from './sqs';
import type { StandInModule } from './types';

/** Every stand-in and fix-up, each module with fresh state (one set per emulator). */
export function allStandIns(): StandInModule[] {
  return [
    lambdaStandIns(),
    sfnStandIns(),
    ecsStandIns(),
    ecrStandIns(),
    appAutoScalingStandIns(),
    rdsStandIns(),
    ec2StandIns(),
    ec2CapacityStandIns(),
    sqsStandIns(),
    autoScalingStandIns(),
    redshiftStandIns(),
    dmsStandIns(),
    resourceGroupsStandIns(),
  ];
}
