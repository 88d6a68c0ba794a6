/**
 * Pure plan summaries for review: input is the JSON of `terraform show -json <plan>` (or, for remote runs
 * whose JSON is not available, the text of `cdktf diff` / `terraform plan`); output is a structured summary
 * per stack and a Markdown rendering for a pull-request comment. IAM changes (policies of IAM resources
 * and the resource policies of KMS keys, SNS topics, SQS queues, ..., Lambda permissions) and security-group
 * changes are called out with the details a reviewer needs. Nothing here reads files or runs programs.
 */

/** The hidden marker that identifies the plan comment on a pull request (the workflow edits it in place). */
export const PLAN_COMMENT_MARKER = '<!-- ops-autopilot-plan -->';

export { code, renderMarkdown, text, type RenderOptions } from './markdown';
export { classifyActions, summarizePlan } from './plan-json';
export { runIdOf, summarizePlanText } from './plan-text';
export { parsePolicy } from './policy';
export type * from './types';
