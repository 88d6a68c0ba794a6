import { Token } from 'cdktf';
import { numText } from './expr';

/** EC2 warns a Spot instance two minutes before it reclaims it. */
export const SPOT_INTERRUPTION_NOTICE_SECONDS = 120;

/**
 * A task on a reclaimed Spot instance first leaves the target group (deregistration delay), then gets
 * SIGTERM and, after the stop timeout, SIGKILL: both must fit in the notice, or requests are cut off.
 * Throws, showing the values, when both are plain numbers; tokens are checked by Terraform (see
 * `spotNoticePrecondition`).
 */
export function checkSpotNoticeFit(
  deregistrationDelaySeconds: number,
  containerStopTimeoutSeconds: number,
): void {
  if (
    Token.isUnresolved(deregistrationDelaySeconds) ||
    Token.isUnresolved(containerStopTimeoutSeconds)
  )
    return;
  const total = deregistrationDelaySeconds + containerStopTimeoutSeconds;
  if (total > SPOT_INTERRUPTION_NOTICE_SECONDS) {
    throw new Error(
      `deregistration delay (${deregistrationDelaySeconds} s) + container stop timeout (${containerStopTimeoutSeconds} s) = ${total} s does not fit in the ${SPOT_INTERRUPTION_NOTICE_SECONDS}-second Spot interruption notice`,
    );
  }
}

/** The same rule as a Terraform precondition, for values that are variables. */
export function spotNoticePrecondition(
  deregistrationDelaySeconds: number,
  containerStopTimeoutSeconds: number,
): { condition: unknown; errorMessage: string } {
  const delay = numText(deregistrationDelaySeconds);
  const stop = numText(containerStopTimeoutSeconds);
  return {
    // Written out: cdktf's Op renders a literal 0 operand as "undefined".
    condition: `\${${delay} + ${stop} <= ${SPOT_INTERRUPTION_NOTICE_SECONDS}}`,
    errorMessage: `deregistration delay (${delay} s) + container stop timeout (${stop} s) must fit in the ${SPOT_INTERRUPTION_NOTICE_SECONDS}-second Spot interruption notice.`,
  };
}
