/** Query parameters as the API server decodes them. */
import { errors } from '../machinery/status.ts';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean parameter, read with Go's strconv.ParseBool (python's client sends watch=True); absent or empty is false. */
export function queryBool(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === '') return false;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw errors.badRequest(`invalid value for query parameter ${name}: strconv.ParseBool: parsing "${value}": invalid syntax`);
}
