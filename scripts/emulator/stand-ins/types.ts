import type { AwsRequest, Reply, RestRoute } from '../aws/wire';

/** What a stand-in may use: moto itself (for what moto does hold) and the clock. */
export interface StandInContext {
  /** moto's own endpoint, behind the stand-ins. */
  readonly moto: string;
  readonly now: () => Date;
}

interface Operation {
  /** SigV4 signing name: `lambda`, `states`, `ec2`, `autoscaling`, `redshift`, `ecs`, `rds`. */
  readonly service: string;
  readonly operation: string;
  /** The AWS API reference page this behaviour follows. */
  readonly docs: string;
}

/** Answers one operation moto lacks, as AWS documents it; moto never sees the request. */
export interface StandIn extends Operation {
  handle(req: AwsRequest, ctx: StandInContext): Promise<Reply>;
}

/**
 * Corrects moto's answer to one operation it does implement but answers differently from AWS (a field it
 * drops, or fills where AWS leaves it out). `observe` sees the request first, to keep what moto drops.
 */
export interface FixUp extends Operation {
  observe?(req: AwsRequest, ctx: StandInContext): void | Promise<void>;
  fix?(req: AwsRequest, reply: Reply, ctx: StandInContext): Reply | Promise<Reply>;
}

/** A group of stand-ins and fix-ups for one service, with its state and its test hooks. */
export interface StandInModule {
  readonly standIns: readonly StandIn[];
  readonly fixUps: readonly FixUp[];
  readonly routes?: readonly RestRoute[];
  /**
   * Control requests under `/_stand-ins/<name>/…` (tests drive what AWS would do on its own, e.g. an Auto
   * Scaling lifecycle action starting); undefined when the path is not this module's.
   */
  control?(
    method: string,
    path: string,
    body: unknown,
    ctx: StandInContext,
  ): Promise<Reply | undefined>;
}

/** One request a stand-in answered or a fix-up corrected, as tests read it back. */
export interface StandInRecord {
  readonly seq: number;
  readonly at: string;
  readonly service: string;
  readonly operation: string;
  readonly kind: 'stand-in' | 'fix-up';
  readonly params: Record<string, unknown>;
  readonly status: number;
}
