import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AddNoteBody, Case, CaseIdParams, type AuditActor } from '../../../protocol/index.js';
import type { AuditDraft } from '../../audit/entries.js';
import { decideNote, type NoteRequest } from '../domain/index.js';
import { caseOperatorOf } from '../plugins/operator.js';
import { caseErrors } from './responses.js';

/** `case.note`: who wrote on the case, and what (the text is what the operator typed, kept like a close's note). */
function noteAudit(request: NoteRequest, c: Pick<Case, 'id' | 'vin'>, actor: AuditActor): AuditDraft {
  return { actor, action: 'case.note', caseId: c.id, vin: c.vin, details: { operatorId: request.operatorId, text: request.text } };
}

/**
 * Extension (issue 14 part 2): `POST /v1/cases/{id}/notes {text}` -> 201 the case, which carries
 * `notes: [{at, operatorId, text}]`; `case.updated` on the feed and `case.note` in the audit, in the
 * same commit (the service's `caseChange`, as dispatches do). The operator is named as for the other
 * case actions (plugins/operator.ts): with AUTH=on the token's. 409 `case_closed`, `case_taken`.
 */
export const noteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = app.incident;
  app.post(
    '/v1/cases/:id/notes',
    {
      schema: {
        tags: ['cases'],
        summary: "Extension: a note on an open case (the case carries notes: [{at, operatorId, text}]); audited as case.note",
        params: CaseIdParams,
        body: AddNoteBody,
        response: { 201: Case, ...caseErrors },
      },
    },
    async (req, reply) => {
      const { operatorId, actor } = caseOperatorOf(req);
      const request: NoteRequest = { caseId: req.params.id, operatorId, text: req.body.text };
      const { case: after } = await svc.caseChange(
        request.caseId,
        (aggregate, ctx) => decideNote(aggregate, request, ctx),
        (_decision, found) => [noteAudit(request, found, actor)],
      );
      return reply.status(201).send(after);
    },
  );
};
