import { fail, ok, type Result } from "../lib/result";
import { ExprSyntaxError } from "./expr/parse";
import { type ExprOptions, ExprTranslationError, translateExpr } from "./expr/translate";
import { type CompiledExpression, compileExpression, ExpressionError } from "./jsonata";

/** An expression field of a stored object, compiled; `translated` is the JSONata an expr source became. */
export interface CompiledField {
  expression: CompiledExpression;
  translated: string | null;
}

/**
 * Compiles one expression field of a binding, trigger or subscription — in JSONata, or in Argo's
 * expr (translated to JSONata first) — or fails naming the field and the position of the problem.
 */
export function compileField(
  field: string,
  source: string,
  language: "jsonata" | "expr",
  roots: readonly string[],
  /** For expr: how Argo hands the environment over (bindings: Argo Workflows'; triggers: Argo CD's). */
  options: ExprOptions = {},
): Result<CompiledField> {
  try {
    const translated = language === "expr" ? translateExpr(source, roots, options) : null;
    return ok({ expression: compileExpression(translated ?? source), translated });
  } catch (error) {
    let message: string;
    if (error instanceof ExprSyntaxError || error instanceof ExprTranslationError) {
      message = `${error.message} (at position ${error.position})`;
    } else if (error instanceof ExpressionError) {
      message = error.describe(field).slice(field.length + 2);
    } else throw error;
    return fail("invalid_argument", `${field}: ${message}`, { fields: [{ field, message }] });
  }
}
