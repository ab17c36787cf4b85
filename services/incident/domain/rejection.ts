/** Why the rules refuse an operator action; the HTTP layer maps each code to a status (errors.ts). */
export type RejectionCode = 'case_closed' | 'case_taken' | 'call_not_active' | 'call_active' | 'locked_out';

export interface Rejection {
  rejected: RejectionCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && 'rejected' in value;
}
