/**
 * A stored JSON payload as a value for a response body: null when absent. A payload that is not
 * valid JSON (it should never be) is returned as its text rather than failing the whole response.
 */
export function jsonValue(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
