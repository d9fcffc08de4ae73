// What if: run an outbreak preset and see its curve and summary. The runner is injected (the CLI wires
// src/outbreak), so the dashboard stays on its side of the import rules.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { curveChart } from '../svg-chart.js';
import type { WebContext } from '../web-context.js';

export function whatIfRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: { preset?: string } }>('/what-if', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { preset: { type: 'string', maxLength: 60, pattern: '^[A-Za-z0-9_-]*$' } } } },
  }, async (request, reply) => {
    const runner = ctx.deps.whatIf;
    const preset = request.query.preset;
    let result;
    if (runner && preset) {
      if (!runner.presets.some((p) => p.name === preset)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `preset: no preset ${preset}`);
      result = await runner.run(preset);
    }
    return ctx.pages.send(request, reply, 'what-if', 'whatif', 'What if', {
      presets: runner?.presets ?? [], preset, result, chart: result ? curveChart(result.curve, `infected hosts, preset ${result.preset}`) : '',
    });
  });
}
