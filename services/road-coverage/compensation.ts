import type { CoverageCompensation } from '../../protocol/index.js';
import { addMonths, fiscalYearOf, fiscalYearText, inJapan } from './japan-time.js';
import type { Judge } from './judge.js';

/**
 * D5.7 (nissan-card-src24): cost compensation, paid after the member has paid. Eligible only when the
 * programme serves the request, the call centre approved the service before it was done, no
 * compensation was used in the same fiscal year (Japan time, April to March by default), and the claim
 * reaches the company within `claimWithinMonths` of the call (the deadline is a Japan date, inclusive;
 * japan-time.ts `addMonths`). Without `incident.claimAt` the deadline is judged at `now`: a deadline
 * that has passed cannot be met any more.
 */
export function compensation(judge: Judge, refusals: string[]): CoverageCompensation | undefined {
  const c = judge.rules.compensation;
  if (!c) return undefined;
  const member = judge.request.member ?? {};
  const why = 'cost compensation';
  if (c.requireApproval && member.approvedByCentre === undefined) judge.need('member.approvedByCentre', why);
  if (member.calledAt === undefined) judge.need('member.calledAt', `${why}: the claim deadline runs from the call`);
  const calledAt = member.calledAt === undefined ? judge.at : Date.parse(member.calledAt);

  const reasons: string[] = [];
  const codes: string[] = [];
  const refuse = (code: string, reason: string) => {
    codes.push(code);
    reasons.push(reason);
  };
  const cite = c.rule ? ` (${c.rule})` : '';
  if (refusals.length > 0) refuse('refused', `the programme refuses this request: ${refusals.join(', ')}`);
  if (c.requireApproval && member.approvedByCentre === false) refuse('not_approved', `the call centre did not approve the service before it was done${cite}`);

  if (c.oncePerFiscalYear) {
    const fy = fiscalYearOf(judge.at, c.fiscalYearStartsMonth);
    const span = fiscalYearText(fy, c.fiscalYearStartsMonth);
    const last = member.lastCompensationAt === undefined ? undefined : Date.parse(member.lastCompensationAt);
    if (last !== undefined && fiscalYearOf(last, c.fiscalYearStartsMonth) === fy) {
      refuse('used_this_fiscal_year', `compensation already used on ${inJapan(last).date} in fiscal year ${fy} (${span}, Japan time): once per fiscal year${cite}`);
    } else {
      reasons.push(`first compensation in fiscal year ${fy} (${span}, Japan time)`);
    }
  }

  const called = inJapan(calledAt).date;
  const claimDeadline = addMonths(called, c.claimWithinMonths);
  const claim = judge.request.incident.claimAt;
  const claimDay = inJapan(claim === undefined ? judge.now : Date.parse(claim)).date;
  if (claimDay > claimDeadline) {
    refuse('claim_late', claim === undefined ? `the claim deadline ${claimDeadline} (${c.claimWithinMonths} months from the call on ${called}) has passed${cite}` : `claimed on ${claimDay}, after the deadline ${claimDeadline} (${c.claimWithinMonths} months from the call on ${called})${cite}`);
  } else {
    reasons.push(claim === undefined ? `claim by ${claimDeadline} (${c.claimWithinMonths} months from the call on ${called})` : `claimed on ${claimDay}, by the deadline ${claimDeadline}`);
  }
  if (c.requireApproval && member.approvedByCentre === true) reasons.unshift(`approved by the call centre before the service${cite}`);
  if (c.note) reasons.push(c.note);
  return { eligible: codes.length === 0, reasons, claimDeadline, refusals: codes };
}
