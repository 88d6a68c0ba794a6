/** Longest cooldown between two resizes: the functions' env schema and the stack's variable check share it. */
export const MAX_COOLDOWN_MINUTES = 14 * 24 * 60;
