import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CoverageAnswer, CoverageProgrammeList, CoverageRequest, ErrorBody } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { ApiError } from '../incident/errors.js';
import { common } from '../incident/routes/responses.js';
import type { Catalogue } from './catalogue.js';
import { assess, CoverageInputError } from './engine.js';
import { loadProgrammes } from './load.js';

export interface CoverageRoutesOptions {
  /** The service's clock: "now" for a claim deadline judged without `claimAt`, and the version in force today. */
  clock: Clock;
  /** The programmes (default: the files in services/road-coverage/programmes/, read once at start-up). */
  catalogue?: Catalogue;
}

/**
 * Contract "Coverage": `POST /v1/coverage/assess` and `GET /v1/coverage/programmes`. A programme file
 * that does not load stops start-up with `file:line:col` (ProgrammeError), like a bad config value.
 *
 * Access: these routes sit under /v1 like the others, so the auth plugin covers them; with AUTH=on they
 * are for the `operator` role (and above). When roles arrive, the role check goes here, on both routes.
 */
export const coverageRoutes: FastifyPluginAsyncTypebox<CoverageRoutesOptions> = async (app, { clock, catalogue: given }) => {
  const catalogue = given ?? (await loadProgrammes());

  app.get('/v1/coverage/programmes', { schema: { tags: ['coverage'], summary: 'Road-service programmes and their versions (D5.9)', response: { 200: CoverageProgrammeList, ...common } } }, async () => catalogue.list(clock.now()));

  app.post(
    '/v1/coverage/assess',
    {
      schema: {
        tags: ['coverage'],
        summary: 'What a road-service programme covers for one incident and what the member pays (D5, D6); 404 unknown_programme',
        body: CoverageRequest,
        response: { 200: CoverageAnswer, ...common, 404: ErrorBody },
      },
    },
    async (req) => {
      const programme = catalogue.get(req.body.programme);
      if (!programme) throw new ApiError('unknown_programme', `no programme ${req.body.programme}; known: ${catalogue.ids().join(', ')}`, { known: catalogue.ids() });
      try {
        return assess(programme, req.body, { now: clock.now() });
      } catch (err) {
        if (err instanceof CoverageInputError) throw new ApiError('validation_failed', err.message, { fields: err.problems.map((p) => p.field) });
        throw err;
      }
    },
  );
};
