import { Type, type Static } from '@sinclair/typebox';

/**
 * Contract v1 extension "Answer targets": `GET /v1/stats` (supervisor). The window and what "on duty"
 * means are this project's reading, written in services/README.md ("Dispatches, no response, answer targets and stats").
 */
const Count = Type.Integer({ minimum: 0 });
/** null when nothing to measure (no call answered in the window). */
const MaybeSeconds = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);

export const QueueDepth = Type.Object({ ringing: Count, connected: Count, cleared: Count });
export type QueueDepth = Static<typeof QueueDepth>;

export const AnswerTimeStats = Type.Object({
  p50Seconds: MaybeSeconds,
  p90Seconds: MaybeSeconds,
  withinTargetShare: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  /** Extension: how many answers the figures are from, and the target they are held to. */
  answered: Count,
  targetSeconds: Type.Number({ minimum: 0 }),
});
export type AnswerTimeStats = Static<typeof AnswerTimeStats>;

const byPriority = <T extends ReturnType<typeof Type.Object>>(t: T) => Type.Object({ '1': t, '2': t, '3': t });

export const Stats = Type.Object(
  {
    queue: Type.Object({ byPriority: byPriority(QueueDepth), oldestRingingSeconds: MaybeSeconds }),
    answerTime: Type.Object({
      byPriority: byPriority(AnswerTimeStats),
      /** Extension: the window the answer times cover (cases opened at or after `since`). */
      windowHours: Type.Number({ minimum: 0 }),
      since: Type.String(),
    }),
    dispatchesOpen: Count,
    operatorsOnDuty: Count,
    /** Extension: when the figures were taken. */
    at: Type.String(),
  },
  { $id: 'Stats' },
);
export type Stats = Static<typeof Stats>;
