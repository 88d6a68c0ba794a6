import { OpsError } from '../shared/errors';

/** ECS refused a drain step for a reason other than the instance being gone (e.g. UpdateContainerInstancesState failures). */
export class DrainStepError extends OpsError {}
