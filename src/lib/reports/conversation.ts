/**
 * "Conversations longer than N s" (issue #8): the thresholds the rollups count answered calls
 * against (agent_day_stats.talk_over[i] = answered calls with talk ≥ CONVERSATION_THRESHOLDS[i]),
 * so the conversion report can switch N without reading raw calls. A fixed list keeps the rollup
 * row small; 30 s is the default (agent_day_stats.conversations).
 */
export const CONVERSATION_THRESHOLDS = [10, 20, 30, 60, 120, 300] as const;
export type ConversationThreshold = (typeof CONVERSATION_THRESHOLDS)[number];
export const DEFAULT_CONVERSATION_SECONDS: ConversationThreshold = 30;

export function isConversationThreshold(n: number): n is ConversationThreshold {
	return (CONVERSATION_THRESHOLDS as readonly number[]).includes(n);
}
