import type { Lead } from '@app/contracts';
import type { Enrichment } from './enrichment';

export interface Score {
  score: number;
  reasons: string[];
  qualified: boolean;
}

const SENIOR = /\b(head|vp|vice president|director|chief|cto|ceo|cfo|coo|founder|owner|lead|principal)\b/i;

/** A 0-100 score with the reasons that produced it. Disposable addresses are never qualified. */
export function scoreLead(lead: Lead, e: Enrichment, returning: boolean, threshold: number): Score {
  const reasons: string[] = [];
  let score = 40;
  const add = (points: number, why: string) => {
    score += points;
    reasons.push(`${why} (${points >= 0 ? '+' : ''}${points})`);
  };
  if (e.disposable) return { score: 0, reasons: ['disposable email domain'], qualified: false };
  if (e.freeMail) add(-20, 'free-mail address');
  else add(20, 'business email domain');
  if (e.roleAddress) add(-15, 'role address');
  if (lead.company) add(10, 'company given');
  const size = lead.companySize ?? 0;
  if (size >= 1000) add(20, 'company of 1000+');
  else if (size >= 200) add(15, 'company of 200+');
  else if (size >= 50) add(10, 'company of 50+');
  else if (size >= 10) add(5, 'company of 10+');
  if (lead.title && SENIOR.test(lead.title)) add(10, 'senior title');
  if (lead.phone) add(5, 'phone given');
  if (returning) add(10, 'returning lead');
  score = Math.max(0, Math.min(100, score));
  return { score, reasons, qualified: score >= threshold };
}
