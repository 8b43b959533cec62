/**
 * The payload codec key recorded order histories are written with: a fixed test key,
 * committed on purpose, so the replay test can read what the recorder wrote. Histories
 * recorded before the codec hold unencrypted payloads and replay as they are.
 */
export const HISTORY_CODEC_KEYS = `history-1:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * A key retired by rotation: test/histories/rotation holds an order recorded under it
 * alone, which the replay test reads with this key listed after the current one.
 */
export const RETIRED_HISTORY_CODEC_KEYS = `retired-1:${Buffer.alloc(32, 3).toString('base64')}`;
