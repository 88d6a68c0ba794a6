/** Longest cooldown between two resizes: the functions' env schema and the stack's variable check share it. */
export const MAX_COOLDOWN_MINUTES = 14 * 24 * 60;
/** Most resizes a day the variable may allow (the guard counts Redshift's resize-started events of 24 h). */
export const MAX_RESIZES_PER_DAY = 24;
/** Re-check schedule: every 5 to 60 minutes (the growth-blocked alarms look at one hour). */
export const RECHECK_MINUTES = { min: 5, max: 60 } as const;
