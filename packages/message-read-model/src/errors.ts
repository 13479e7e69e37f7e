/** A cursor that this read model did not hand out (answer 400). */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}
