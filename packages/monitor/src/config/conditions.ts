/** Gatus-compatible condition lines (`[STATUS] == 200`), checked with the core parser when the config loads. */
import { ConditionSyntaxError, parseCondition } from '@vigil/core';
import { z } from 'zod';

export function condition() {
  return z.string().superRefine((line, ctx) => {
    try {
      parseCondition(line);
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      // The reporter turns `column` into a position in the file when the condition sits on one line.
      ctx.addIssue({
        code: 'custom',
        message: `invalid condition "${line}": ${error.reason}`,
        params: error.column === undefined ? {} : { column: error.column },
      });
    }
  });
}
